using System.Text;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// The client's error stream with --log-file: what it writes goes on to <paramref name="inner"/>, and each finished
/// line to the log too (log.c: rwrite logs every FERROR and FWARNING message before printing it).
/// </summary>
internal sealed class LoggedWriter(TextWriter inner, ClientLog log) : TextWriter
{
    private readonly object _gate = new();
    private readonly StringBuilder _line = new();

    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        lock (_gate)
        {
            inner.Write(value);
            foreach (char c in value)
            {
                if (c != '\n')
                {
                    _line.Append(c);
                    continue;
                }
                log.Message(_line.ToString());
                _line.Clear();
            }
        }
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override void WriteLine() => Write("\n");

    public override void Flush() => inner.Flush();
}
