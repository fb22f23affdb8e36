namespace ManagedRsync;

/// <summary>
/// rsync util1.c clean_fname(name, CFN_COLLAPSE_DOT_DOT_DIRS), which options.c applies to --partial-dir: repeated
/// slashes and interior "." components go, "dir/.." collapses (a leading ".." that has nothing to collapse stays, and
/// "/.." is "/"), a trailing slash goes, and an empty result is ".".
/// </summary>
public static class CleanFileName
{
    /// <summary>The cleaned name.</summary>
    public static string CollapseDotDot(string name)
    {
        char[] b = name.ToCharArray();
        int n = b.Length, t = 0, f = 0, limit = 0;
        bool anchored = n > 0 && b[0] == '/';
        if (anchored)
            b[t++] = b[f++];
        // The write position never passes the read position, so what is ahead of f is still the original text.
        char At(int i) => i < n ? b[i] : '\0';
        while (f < n)
        {
            if (b[f] == '/')
            {
                f++;
                continue;
            }
            if (b[f] == '.')
            {
                if (At(f + 1) == '/')
                {
                    f += 2;
                    continue;
                }
                if (At(f + 1) == '.' && At(f + 2) is '/' or '\0')
                {
                    int s = t - 1;
                    if (s == 0 && anchored)
                    {
                        f += 2;
                        continue;
                    }
                    while (s > limit && b[s - 1] != '/')
                        s--;
                    // Back to the start of the previous component, unless there is none left to remove.
                    if (s != t - 1 && (s <= 0 || b[s - 1] == '/'))
                    {
                        t = Math.Max(s, 0);
                        f += 2;
                        continue;
                    }
                    limit = t + 2;
                }
            }
            while (f < n)
            {
                char c = b[f++];
                b[t++] = c;
                if (c == '/')
                    break;
            }
        }
        if (t > (anchored ? 1 : 0) && b[t - 1] == '/')
            t--;
        if (t == 0)
            b[t++] = '.';
        return new string(b, 0, t);
    }
}
