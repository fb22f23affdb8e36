using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Server;

/// <summary>
/// The merge files a client's -M--filter rules name, read as stock 3.5.0's daemon reads them: while it parses the
/// argument vector (options.c: OPT_FILTER, exclude.c: parse_filter_file with XFLG_FATAL_ERRORS), before the "rsync on"
/// line and before any protocol byte. One that cannot be opened ends the connection there: stock's daemon logs
/// "rsync: [sender] failed to open exclude file NAME: ERROR (ERRNO)" (a sender adds its "sent 0 bytes ..." totals) and
/// exits 11 without a word to the client, which sees the connection close (exit 12). NAME is what exclude.c:
/// parse_merge_name made of the rule's name: unchanged without a '/', else sanitized and joined to the module's
/// directory ("/" under chroot). The files are read beneath the module as the sending server reads them
/// (<see cref="ServerSources.ReadRuleFile"/>); one the module's rules hide counts as empty, as in stock.
/// </summary>
internal static class VectorMergeFiles
{
    /// <summary>The daemon's log line for the first merge file that cannot be opened, or null when all can.</summary>
    /// <param name="rules">The vector's --filter rules.</param>
    /// <param name="settings">The module (Root, ModuleFilters) the files are read beneath.</param>
    /// <param name="moduleDirectory">The module's directory as stock names it: its path, or "/" under chroot.</param>
    /// <param name="sender">Whether the daemon sends (a pull): stock names the side "[sender]", else "[Receiver]".</param>
    public static string? FirstUnopenable(IReadOnlyList<string> rules, ServerSettings settings, string moduleDirectory, bool sender)
    {
        ArgumentNullException.ThrowIfNull(rules);
        string? failed = null;
        byte[] Read(string name)
        {
            try
            {
                return ServerSources.ReadRuleFile(settings, name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                failed ??= name;
                throw;
            }
        }
        // exclude.c: parse_filter_file — a server opens "-" as a file, never its standard input.
        var builder = new FilterListBuilder(Read, () => Read("-"));
        foreach (string rule in rules)
        {
            try
            {
                builder.AddFilter(rule);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo && failed is not null && e.InnerException is { } cause)
            {
                string kind = e.Message.StartsWith("failed to open include", StringComparison.Ordinal) ? "include" : "exclude";
                string shown = failed.Contains('/')
                    ? moduleDirectory.TrimEnd('/') + "/" + ServerPaths.Sanitize(failed).TrimEnd('/')
                    : failed;
                return $"rsync: [{(sender ? "sender" : "Receiver")}] failed to open {kind} file {shown}: {SystemError.Describe(cause)}";
            }
            catch (Exception e) when (e is RsyncException or ArgumentException or FormatException)
            {
                // A rule the server's own parse turns down later, in its own words.
                return null;
            }
        }
        return null;
    }
}
