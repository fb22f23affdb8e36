using System.Text;

namespace ManagedRsync.Platform;

/// <summary>
/// The mounts this process sees, from /proc/self/mountinfo (proc(5): field 5 is the mount point with space, tab,
/// newline and backslash as \ooo; after the " - " separator come the file-system type and the source).
/// </summary>
internal static class MountTable
{
    public readonly record struct Mount(string Point, string Type);

    public static List<Mount> Read()
    {
        var mounts = new List<Mount>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/proc/self/mountinfo");
        }
        catch (IOException)
        {
            return mounts;
        }
        foreach (string line in lines)
        {
            string[] f = line.Split(' ');
            int dash = Array.IndexOf(f, "-");
            if (f.Length < 5 || dash < 5 || dash + 1 >= f.Length)
                continue;
            mounts.Add(new Mount(Unescape(f[4]), f[dash + 1]));
        }
        return mounts;
    }

    /// <summary>The mount holding <paramref name="path"/> (the longest mount point above it; the last one mounted wins).</summary>
    public static Mount? Containing(string path)
    {
        Mount? best = null;
        foreach (Mount m in Read())
        {
            if (IsUnder(path, m.Point) && (best is null || m.Point.Length >= best.Value.Point.Length))
                best = m;
        }
        return best;
    }

    /// <summary>A mount point strictly inside <paramref name="path"/>, or null.</summary>
    public static string? MountsUnder(string path)
    {
        foreach (Mount m in Read())
        {
            if (m.Point != path && IsUnder(m.Point, path))
                return m.Point;
        }
        return null;
    }

    private static bool IsUnder(string path, string top) =>
        top == "/" || path == top || (path.Length > top.Length && path[top.Length] == '/' && path.StartsWith(top, StringComparison.Ordinal));

    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
            return s;
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 3 < s.Length && !s.AsSpan(i + 1, 3).ContainsAnyExceptInRange('0', '7'))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
                sb.Append(s[i]);
        }
        return sb.ToString();
    }
}
