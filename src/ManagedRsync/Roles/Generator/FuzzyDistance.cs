namespace ManagedRsync.Roles.Generator;

/// <summary>
/// How alike two file names are for --fuzzy (rsync util1.c: fuzzy_distance, find_filename_suffix): an edit distance
/// in units of 1 &lt;&lt; 16 per insertion, deletion or change, each also weighted by the bytes involved (a change by
/// how far apart the two bytes are, an insertion or deletion by the byte itself), so that of two names one edit
/// away the closer byte wins. Arithmetic is uint32 and wraps as stock's does.
/// </summary>
internal static class FuzzyDistance
{
    private const uint Unit = 1 << 16;

    /// <summary>What is returned when the lengths alone put the names further apart than the limit given.</summary>
    public const uint Disqualified = 0xFFFFu * Unit + 1;

    public static uint Between(ReadOnlySpan<byte> s1, ReadOnlySpan<byte> s2, uint upperLimit)
    {
        uint lengthGap = (uint)Math.Abs(s1.Length - s2.Length);
        if (unchecked(lengthGap * Unit) > upperLimit)
            return Disqualified;
        if (s1.IsEmpty || s2.IsEmpty)
        {
            ReadOnlySpan<byte> only = s1.IsEmpty ? s2 : s1;
            uint sum = 0;
            foreach (byte b in only)
                sum += b;
            return unchecked((uint)only.Length * Unit + sum);
        }
        Span<uint> row = s2.Length <= 1024 ? stackalloc uint[s2.Length] : new uint[s2.Length];
        for (int j = 0; j < s2.Length; j++)
            row[j] = (uint)(j + 1) * Unit;
        unchecked
        {
            for (int i = 0; i < s1.Length; i++)
            {
                uint diag = (uint)i * Unit;
                uint above = (uint)(i + 1) * Unit;
                for (int j = 0; j < s2.Length; j++)
                {
                    uint left = row[j];
                    int gap = s1[i] - s2[j];
                    uint change = gap == 0 ? 0 : gap < 0 ? Unit + (uint)(-gap) : Unit + (uint)gap;
                    uint viaDiag = diag + change;
                    uint viaLeft = left + Unit + s1[i];
                    uint viaAbove = above + Unit + s2[j];
                    above = left < above ? Math.Min(viaLeft, viaDiag) : Math.Min(viaAbove, viaDiag);
                    row[j] = above;
                    diag = left;
                }
            }
        }
        return row[^1];
    }

    /// <summary>
    /// The name's most significant suffix, dot included, or empty: leading dots are no suffix, a trailing "~" is
    /// looked past, ".bak", ".old" and ".orig" are skipped when nothing follows them, as is ".~N" before a trailing
    /// "~", and an all-digit suffix gives way to a more significant one before it.
    /// </summary>
    public static ReadOnlySpan<byte> Suffix(ReadOnlySpan<byte> name)
    {
        int start = 0;
        while (start < name.Length && name[start] == (byte)'.')
            start++;
        ReadOnlySpan<byte> fn = name[start..];
        int length = fn.Length;
        bool hadTilde = length > 1 && fn[length - 1] == (byte)'~';
        if (hadTilde)
            length--;
        ReadOnlySpan<byte> suffix = default;
        while (length > 1)
        {
            int dot = length - 1;
            while (dot > 0 && fn[dot] != (byte)'.')
                dot--;
            if (dot == 0)
                break;
            int suffixLength = length - dot;
            length = dot;
            // Stock compares what follows the dot up to the end of the whole name (a trailing "~" included).
            ReadOnlySpan<byte> rest = fn[(dot + 1)..];
            if (suffixLength == 4 && (rest.SequenceEqual("bak"u8) || rest.SequenceEqual("old"u8)))
                continue;
            if (suffixLength == 5 && rest.SequenceEqual("orig"u8))
                continue;
            if (suffixLength > 2 && hadTilde && fn[dot + 1] == (byte)'~' && char.IsAsciiDigit((char)fn[dot + 2]))
                continue;
            suffix = fn.Slice(dot, suffixLength);
            if (suffixLength == 1)
                break;
            foreach (byte b in suffix[1..])
            {
                if (!char.IsAsciiDigit((char)b))
                    return suffix;
            }
        }
        return suffix;
    }
}
