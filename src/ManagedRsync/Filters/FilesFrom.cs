namespace ManagedRsync.Filters;

/// <summary>
/// --files-from: the list of names to transfer, read as rsync flist.c send_file_list reads it (io.c read_line) and
/// cleaned as util1.c sanitize_path does before the names are used.
/// </summary>
public static class FilesFrom
{
    /// <summary>rsync MAXPATHLEN: a longer name is cut to MAXPATHLEN - 1 bytes, as read_line does.</summary>
    private const int MaxPathLength = 4096;

    /// <summary>
    /// Parses a files-from list. Names end at '\n' or '\r' (so CRLF leaves an empty name, which is skipped), or at
    /// '\0' with <paramref name="from0"/>. A local list (<paramref name="isLocalFile"/>) skips empty names and names
    /// starting with '#' or ';'; a list read from the peer stops at the first empty name instead.
    /// Each name is cleaned: leading and doubled slashes dropped, ".." resolved without climbing above the root,
    /// "." components kept with <paramref name="relativePaths"/> (the "/./" marker of -R) and dropped otherwise.
    /// </summary>
    public static List<byte[]> Parse(ReadOnlySpan<byte> content, bool from0, bool relativePaths = true, bool isLocalFile = true)
    {
        var names = new List<byte[]>();
        int i = 0;
        while (i < content.Length)
        {
            int start = i;
            while (i < content.Length && !(from0 ? content[i] == 0 : content[i] is (byte)'\n' or (byte)'\r'))
                i++;
            ReadOnlySpan<byte> name = content[start..i];
            i++;
            if (name.Length > MaxPathLength - 1)
                name = name[..(MaxPathLength - 1)];
            if (isLocalFile)
            {
                if (name.IsEmpty || name[0] == (byte)'#' || name[0] == (byte)';')
                    continue;
            }
            else if (name.IsEmpty)
            {
                break;
            }
            names.Add(Sanitize(name, relativePaths));
        }
        return names;
    }

    /// <summary>
    /// A local files-from list (<see cref="Parse"/> with -R's defaults) as the paths a
    /// <see cref="Client.SendRequest.RelativePaths"/> takes: names that are not UTF-8 keep their bytes (carried in
    /// the string as the library carries every file name, and written back byte for byte).
    /// </summary>
    /// <param name="content">The list file's bytes.</param>
    /// <param name="from0">Names end at NUL (--from0), else at a line break.</param>
    public static List<string> ParsePaths(ReadOnlySpan<byte> content, bool from0) =>
        Parse(content, from0).ConvertAll(name => Platform.FileNameEncoding.Decode(name));

    /// <summary>
    /// rsync util1.c sanitize_path(dest, p, "", 0, SP_KEEP_DOT_DIRS) for a name from the list: never absolute, never
    /// above the transfer root; an empty result is ".".
    /// </summary>
    public static byte[] Sanitize(ReadOnlySpan<byte> path, bool relativePaths)
    {
        bool dropDotDirs = !relativePaths;
        Span<byte> dest = path.Length + 1 <= 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        int p = 0, d = 0;
        if (dropDotDirs)
        {
            while (p + 1 < path.Length && path[p] == (byte)'.' && path[p + 1] == (byte)'/')
                p += 2;
        }
        while (p < path.Length)
        {
            if (path[p] == (byte)'/')
            {
                p++;
                continue;
            }
            byte next = p + 1 < path.Length ? path[p + 1] : (byte)0;
            if (dropDotDirs && path[p] == (byte)'.' && next is (byte)'/' or 0)
            {
                p++;
                continue;
            }
            byte third = p + 2 < path.Length ? path[p + 2] : (byte)0;
            if (path[p] == (byte)'.' && next == (byte)'.' && third is (byte)'/' or 0)
            {
                // ".." backs up one component, or is dropped at the root.
                p += 2;
                if (d > 0)
                {
                    d--; // the slash that ended the previous component
                    while (d > 0 && dest[d - 1] != (byte)'/')
                        d--;
                }
                continue;
            }
            while (p < path.Length)
            {
                byte c = path[p++];
                dest[d++] = c;
                if (c == (byte)'/')
                    break;
            }
        }
        if (d == 0)
            dest[d++] = (byte)'.';
        return dest[..d].ToArray();
    }

    /// <summary>
    /// The directories -R (--relative) sends implicitly before <paramref name="name"/>: every parent of the part that is
    /// transferred, which is what follows a "/./" marker, or the whole name (rsync flist.c send_implied_dirs).
    /// For "a/b/c" that is "a" and "a/b"; for "x/./a/b" it is "a".
    /// </summary>
    public static List<byte[]> GetImpliedDirectories(ReadOnlySpan<byte> name)
    {
        int marker = name.IndexOf("/./"u8);
        if (marker >= 0)
            name = name[(marker + 3)..];
        while (!name.IsEmpty && name[0] == (byte)'/')
            name = name[1..];
        if (name.StartsWith("./"u8))
            name = name[2..];
        var dirs = new List<byte[]>();
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] == (byte)'/' && i > 0 && name[i - 1] != (byte)'/')
                dirs.Add(name[..i].ToArray());
        }
        return dirs;
    }
}
