using ManagedRsync.Filters;

namespace ManagedRsync.Server;

/// <summary>
/// A writable daemon module's own filter rules on the receiving side (rsync clientserver.c: rsync_module loads
/// daemon_filter_list for both directions): a name they exclude is refused when a client sends it (generator.c:
/// recv_generator, "daemon refused to receive"), is never listed for deletion (flist.c: get_dirlist goes through
/// name_is_excluded, which checks the daemon's rules first), and may not be the destination (main.c: get_local_name)
/// or the temp dir (options.c: parse_arguments, "Your options have been rejected by the server.").
/// Names are matched beneath the module: the transfer's names with the destination's module-relative directory in
/// front (exclude.c: rule_matches joins curr_dir beneath module_dir for anchored rules).
/// </summary>
internal static class ModuleReceiveFilter
{
    public const string Rejected = "Your options have been rejected by the server.";

    /// <summary>The verdict for names of a push into <paramref name="destination"/> (module-relative), or null without rules.</summary>
    public static Func<string, bool, bool>? For(ServerSettings settings, string destination)
    {
        if (settings.ModuleFilters is not { Rules.Count: > 0 } filters)
            return null;
        FilterMatcher matcher = Matcher(filters, settings);
        string dir = Clean(destination);
        string prefix = dir is "" or "." ? "" : dir + "/";
        return (name, isDirectory) =>
        {
            if (name == ".")
                return false;
            lock (matcher)
                return matcher.IsExcluded(prefix + name, isDirectory);
        };
    }

    /// <summary>
    /// main.c: get_local_name — the destination itself (without a trailing "/" or "/."), excluded as a file or as a
    /// directory, ends the run: "ERROR: daemon has excluded destination".
    /// </summary>
    public static void CheckDestination(ServerSettings settings, string destination, string shown)
    {
        if (settings.ModuleFilters is not { Rules.Count: > 0 } filters)
            return;
        string dir = Clean(destination);
        if (dir is "" or ".")
            return;
        FilterMatcher matcher = Matcher(filters, settings);
        if (matcher.IsExcluded(dir, isDirectory: false) || matcher.IsExcluded(dir, isDirectory: true))
            throw new RsyncException(RsyncErrorKind.FileSelection, $"ERROR: daemon has excluded destination \"{shown}\"");
    }

    /// <summary>options.c: parse_arguments — a temp dir the module's rules exclude (as a directory).</summary>
    public static bool RejectsDirectory(ServerSettings settings, string? directory)
    {
        if (directory is null || settings.ModuleFilters is not { Rules.Count: > 0 } filters)
            return false;
        if (directory.Length == 0)
            return true;
        string dir = Clean(ServerPaths.Sanitize(directory));
        FilterMatcher matcher = Matcher(filters, settings);
        return dir is not ("" or ".") && matcher.IsExcluded(dir, isDirectory: true);
    }

    // The module's rules match module-relative names, as for what the module sends (ServerSources).
    private static FilterMatcher Matcher(FilterList filters, ServerSettings settings) =>
        filters.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = settings.Root });

    // The module-relative path without "./" in front and without a trailing "/" or "/.".
    private static string Clean(string path)
    {
        string p = path.TrimEnd('/');
        if (p.EndsWith("/.", StringComparison.Ordinal))
            p = p[..^2];
        while (p.StartsWith("./", StringComparison.Ordinal))
            p = p[2..];
        return p.Length == 0 ? "." : p;
    }
}
