using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Sender;

/// <summary>
/// What a sender sends, whoever asked: rsync command-line sources ("dir/" sends the contents, "dir" the directory
/// itself), or <see cref="SourceRoot"/> with <see cref="RelativePaths"/> (--files-from: each path with its parents,
/// as -R does), the filter rules, and an extra verdict for a transfer-relative path (name, the path this side reaches it
/// by, is directory) -> excluded.
/// A server passes <see cref="ReadRuleFile"/>: how a merge file the client names is read (beneath a daemon module only),
/// and <see cref="LinkTarget"/>: what a symlink's target read from disk is sent as (a module that munges symlinks);
/// <see cref="IgnoreNonreadable"/>: a daemon module's "ignore nonreadable" (entries this process cannot read are not listed);
/// <see cref="Confinement"/>: a daemon module's root, beneath which every directory is listed and every file opened;
/// <see cref="ArgumentRules"/>: a sending server's --filter rules from its argument vector, before the client's list;
/// <see cref="ModuleXattrRules"/>: a daemon module's own rules when one has the 'x' modifier (daemon_filter_list);
/// <see cref="ListedByPeer"/>: a sending server's "--files-from=-": the source once the client's names have come
/// (after its filter list), from the names' bytes as they came; <see cref="ArgumentExcluded"/>: whether an argument (its full
/// path) is one a daemon module's rules exclude, which the listing takes as not there; <see cref="Listed"/>: the
/// sources are a --files-from list's names.
/// </summary>
internal sealed record SendSource(
    IReadOnlyList<string> Sources,
    string? SourceRoot,
    IReadOnlyList<string>? RelativePaths,
    FilterList? Filters,
    Func<string, string, bool, bool>? IsExcluded,
    Func<string, byte[]>? ReadRuleFile = null,
    Func<byte[], byte[]>? LinkTarget = null,
    bool IgnoreNonreadable = false,
    BeneathRoot? Confinement = null,
    IReadOnlyList<string>? ArgumentRules = null,
    FilterList? ModuleXattrRules = null,
    Func<byte[], SendSource>? ListedByPeer = null,
    Func<string, bool>? ArgumentExcluded = null,
    bool Listed = false)
{
    /// <summary>A daemon's reader of per-directory merge files (ServerSources.PerDirectoryReader: beneath the module only).</summary>
    public Func<string, byte[]?>? ReadPerDirectoryFile { get; init; }
}
