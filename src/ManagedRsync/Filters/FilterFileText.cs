namespace ManagedRsync.Filters;

/// <summary>
/// Splits the contents of an --exclude-from / --include-from / merge file into rule lines as rsync exclude.c
/// parse_filter_file does: lines end at '\n' or '\r' (CRLF counts once), or at '\0' with --from0; a word-split
/// merge file ('w', 'C') ends tokens at any whitespace; empty lines and, unless word-split, lines starting with
/// ';' or '#' are skipped; a line longer than rsync's buffer is dropped.
/// </summary>
internal static class FilterFileText
{
    /// <summary>rsync BIGPATHBUFLEN (MAXPATHLEN + 1024) less the terminating NUL.</summary>
    internal const int MaxLineLength = 4096 + 1024 - 1;

    public static List<byte[]> SplitRules(ReadOnlySpan<byte> content, bool eolNulls, bool wordSplit) =>
        SplitNumbered(content, eolNulls, wordSplit).ConvertAll(r => r.Rule);

    /// <summary>
    /// The rules with the number of the line each is on, as exclude.c 3.5.0 counts them for its messages (every line
    /// read, skipped ones too; CRLF once); -1 for a word-split file, whose words are not counted.
    /// </summary>
    public static List<(byte[] Rule, int Line)> SplitNumbered(ReadOnlySpan<byte> content, bool eolNulls, bool wordSplit)
    {
        var lines = new List<(byte[], int)>();
        int i = 0, number = 0;
        while (i <= content.Length)
        {
            number++;
            int start = i;
            while (i < content.Length && !IsLineEnd(content[i], eolNulls, wordSplit))
                i++;
            ReadOnlySpan<byte> line = content[start..i];
            if (i < content.Length && content[i] == (byte)'\r' && !eolNulls && !wordSplit
                && i + 1 < content.Length && content[i + 1] == (byte)'\n')
            {
                i++;
            }
            i++;

            // A NUL inside a line ends rsync's C string there.
            int nul = line.IndexOf((byte)0);
            if (nul >= 0)
                line = line[..nul];
            if (line.IsEmpty || line.Length > MaxLineLength)
                continue;
            if (!wordSplit && (line[0] == (byte)';' || line[0] == (byte)'#'))
                continue;
            lines.Add((line.ToArray(), wordSplit ? -1 : number));
        }
        return lines;
    }

    /// <summary>exclude.c: rule_src_where — "FILE line N", or just FILE when its words are not counted.</summary>
    public static string Where(string file, int line) => line < 0 ? file : $"{file} line {line}";

    private static bool IsLineEnd(byte c, bool eolNulls, bool wordSplit)
    {
        if (wordSplit && FilterRuleParser.IsSpace(c))
            return true;
        return eolNulls ? c == 0 : c is (byte)'\n' or (byte)'\r';
    }
}
