namespace ManagedRsync.Daemon;

/// <summary>One entry of a daemon's module listing (rsync clientserver.c: send_listing, "%-15s\t%s").</summary>
/// <param name="Name">Module name.</param>
/// <param name="Comment">The module's <c>comment</c>, possibly empty.</param>
/// <param name="Line">The line exactly as the daemon sent it.</param>
public sealed record ModuleInfo(string Name, string Comment, string Line)
{
    /// <summary>Splits a listing line into name and comment.</summary>
    public static ModuleInfo Parse(string line)
    {
        int tab = line.IndexOf('\t');
        return tab < 0
            ? new ModuleInfo(line.Trim(), "", line)
            : new ModuleInfo(line[..tab].TrimEnd(), line[(tab + 1)..], line);
    }
}
