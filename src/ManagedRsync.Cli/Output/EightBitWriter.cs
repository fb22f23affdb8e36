using System.Text;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// -8, --8-bit-output (log.c: rwrite -> filtered_fwrite with use_isprint off): the bytes of a name that are not UTF-8
/// go out as they are instead of as "\#ooo". The library displays such a byte as "\#ooo" (FileNameEncoding.Display);
/// this writer turns each of those with a value of 0177 or more back into the byte itself, and writes everything else
/// as UTF-8. Control bytes stay escaped, as stock escapes them with -8 too.
/// </summary>
internal sealed class EightBitWriter(Stream output) : TextWriter
{
    private readonly object _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return;
        // 0177 too: stock's filtered_fwrite escapes only bytes below ' ' once isprint() is not asked.
        byte[] bytes = LogLine.DisplayedBytes(value, lowest: 0x7F);
        lock (_gate)
        {
            output.Write(bytes);
            output.Flush();
        }
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override void WriteLine() => Write("\n");

    public override void Flush()
    {
        lock (_gate)
            output.Flush();
    }
}
