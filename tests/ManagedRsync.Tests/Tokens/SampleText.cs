namespace ManagedRsync.Tests.Tokens;

/// <summary>
/// Compressible text with unique lines (a number, then a few words): the token codecs' test and benchmark input.
/// Linked into the interop tests and the benchmarks, so all three generate the same kind of data one way.
/// </summary>
internal static class SampleText
{
    private static readonly string[] DefaultWords = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike".Split(' ');

    public static byte[] Generate(Random rng, int length, string[]? words = null)
    {
        words ??= DefaultWords;
        var sb = new System.Text.StringBuilder(length + 100);
        while (sb.Length < length)
        {
            sb.Append(rng.Next()).Append(' ');
            for (var w = rng.Next(2, 10); w > 0; w--)
                sb.Append(words[rng.Next(words.Length)]).Append(' ');
            sb.Append('\n');
        }
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString(0, length));
    }
}
