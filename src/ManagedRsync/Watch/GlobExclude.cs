using System.Text;
using System.Text.RegularExpressions;

namespace ManagedRsync.Watch;

/// <summary>
/// The --exclude patterns of `mrsync watch`, matched the way rsync matches exclude patterns (rsync(1) "INCLUDE/EXCLUDE
/// PATTERN RULES", exclude.c): a pattern without '/' matches the last component at any depth, a leading '/' anchors
/// it at the source root, a trailing '/' matches only directories, '*' stays within a component, '**' crosses
/// components, '?' is one character and [...] a class. A path under an excluded directory is excluded with it.
/// </summary>
public sealed class GlobExclude
{
    private readonly List<(Regex Pattern, bool DirOnly, bool Anchored)> _rules = [];

    public GlobExclude(IEnumerable<string> patterns)
    {
        foreach (string raw in patterns)
        {
            string p = raw;
            if (p.Length == 0)
                continue;
            bool dirOnly = p.EndsWith('/');
            p = p.TrimEnd('/');
            bool anchored = p.StartsWith('/') || p.Contains('/', StringComparison.Ordinal);
            p = p.TrimStart('/');
            _rules.Add((new Regex("^" + ToRegex(p) + "$", RegexOptions.CultureInvariant | RegexOptions.Singleline), dirOnly, anchored));
        }
    }

    public bool IsEmpty => _rules.Count == 0;

    /// <summary>Whether a tree-relative path is excluded (its ancestors are checked by the watcher as it descends).</summary>
    public bool IsExcluded(RawPath path, bool isDirectory)
    {
        string full = path.ToString();
        string name = path.Name.ToString();
        foreach ((Regex re, bool dirOnly, bool anchored) in _rules)
        {
            if (dirOnly && !isDirectory)
                continue;
            if (re.IsMatch(anchored ? full : name))
                return true;
        }
        return false;
    }

    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*' when i + 1 < glob.Length && glob[i + 1] == '*':
                    sb.Append(".*");
                    i++;
                    break;
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    int end = glob.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }
                    string cls = glob[(i + 1)..end];
                    sb.Append('[').Append(cls.StartsWith('!') ? "^" + cls[1..] : cls).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.ToString();
    }
}
