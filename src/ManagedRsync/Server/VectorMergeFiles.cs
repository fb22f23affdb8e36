using ManagedRsync.Filters;

namespace ManagedRsync.Server;

/// <summary>
/// The --filter rules of a server's own argument vector (a client's -M--filter=RULE) and the merge files they name, read
/// as stock 3.5.0 reads them: while the vector is parsed (options.c: OPT_FILTER, exclude.c: parse_filter_str and
/// parse_filter_file with XFLG_FATAL_ERRORS), before a daemon's "rsync on" line and before any protocol byte. A rule
/// that cannot be parsed (exclude.c: filter_rule_err, exit 1) or a merge file that cannot be opened (exit 11) ends the
/// server there without a word to the client, which sees the connection close (exit 12): a daemon logs why, a
/// remote-shell server says it on its stderr. NAME in "failed to open exclude file NAME" is what exclude.c:
/// parse_merge_name made of the rule's name: unchanged without a '/', else, in a daemon, sanitized and joined to the
/// module's directory ("/" under chroot). A daemon reads the files beneath the module
/// (<see cref="ServerSources.ReadRuleFile"/>; one the module's rules hide counts as empty, as in stock); a remote-shell
/// server reads them as the remote user, relative to where it runs.
/// </summary>
public static class VectorMergeFiles
{
    /// <summary>How a '.' merge rule of the vector has its file read.</summary>
    public static Func<string, byte[]> Reader(ServerSettings settings) => settings.Confined
        ? name => ServerSources.ReadRuleFile(settings, name)
        : name => File.ReadAllBytes(Path.IsPathFullyQualified(name) ? name : Path.Join(settings.Root, name));

    /// <summary>
    /// What a server that cannot take its vector's rules says (a daemon to its log, a remote-shell server on stderr)
    /// and the code it ends with, or null when every rule parses and every '.' file opens. A rule our parse takes
    /// but the server does not (-C) is left to the server to refuse by name later.
    /// </summary>
    /// <param name="rules">The vector's --filter rules.</param>
    /// <param name="settings">The server's (a daemon's Root, Confined and ModuleFilters).</param>
    /// <param name="moduleDirectory">A daemon's module directory as stock names it (its path, or "/" under chroot);
    /// null for a remote-shell server, which shows names as given.</param>
    /// <param name="role">Stock's who_am_i while the vector is parsed: "sender" or "Receiver" in a daemon, "server"
    /// over a remote shell.</param>
    public static (string Line, RsyncExitCode Code)? FirstFailure(IReadOnlyList<string> rules, ServerSettings settings,
        string? moduleDirectory, string role)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Func<string, byte[]> read = Reader(settings);
        // exclude.c: parse_filter_file — a server opens "-" as a file, never its standard input.
        var builder = new FilterListBuilder(read, () => read("-"))
        {
            ShownName = moduleDirectory is null ? null
                : name => name.Contains('/') ? moduleDirectory.TrimEnd('/') + "/" + ServerPaths.Sanitize(name).TrimEnd('/') : name,
        };
        foreach (string rule in rules)
        {
            try
            {
                builder.AddFilter(rule);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                // log.c: rsyserr prefixes "rsync: [ROLE] "; an open failure that hides its name and errno (a name read out
                // of a file) is a plain rprintf, as is the depth limit.
                return (e.InnerException is null ? e.Message : $"rsync: [{role}] {e.Message}", RsyncExitCode.FileIo);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.Usage)
            {
                return (e.Message, RsyncExitCode.Syntax);
            }
            catch (Exception e) when (e is RsyncException or ArgumentException or FormatException)
            {
                return null;
            }
        }
        return null;
    }
}
