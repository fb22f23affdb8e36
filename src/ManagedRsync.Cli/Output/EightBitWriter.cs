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
        byte[] bytes = Raw(value);
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

    /// <summary>The text as UTF-8, with every "\#ooo" of 0177-0377 as its byte.</summary>
    public static byte[] Raw(string text)
    {
        if (!text.Contains("\\#", StringComparison.Ordinal))
            return Encoding.UTF8.GetBytes(text);
        var bytes = new List<byte>(text.Length + 8);
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (!IsHighEscape(text, i, out byte raw))
                continue;
            bytes.AddRange(Encoding.UTF8.GetBytes(text[start..i]));
            bytes.Add(raw);
            i += 4;
            start = i + 1;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[start..]));
        return [.. bytes];
    }

    private static bool IsHighEscape(string text, int i, out byte raw)
    {
        raw = 0;
        if (i + 4 >= text.Length || text[i] != '\\' || text[i + 1] != '#')
            return false;
        int value = 0;
        for (int k = 2; k <= 4; k++)
        {
            char c = text[i + k];
            if (c is < '0' or > '7')
                return false;
            value = value * 8 + (c - '0');
        }
        // 0177 too: stock's filtered_fwrite escapes only bytes below ' ' once isprint() is not asked.
        if (value is < 0x7F or > 0xFF)
            return false;
        raw = (byte)value;
        return true;
    }
}
