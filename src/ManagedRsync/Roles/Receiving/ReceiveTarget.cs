using ManagedRsync.Destination;
using ManagedRsync.Filters;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// Where and how a receiving side writes, whoever started it.
/// </summary>
/// <param name="Destination">The local destination (rsync main.c: get_local_name's argument); null lists the sender's files.</param>
/// <param name="Requested">The top-level names the sender may send (a client's sources; a server takes any safe name).</param>
/// <param name="Filters">The rules that protect local names from --delete (the receiver's side of the filter list).</param>
/// <param name="KeepPartial">--partial: keep a partially received file in place of the old one.</param>
/// <param name="Progress">Told when each received file starts and when it is complete.</param>
/// <param name="TempDirectory">--temp-dir: where new files are written before they are renamed into place.</param>
/// <param name="DisplayDestination">
/// The destination as the client named it, for the lines the client sees ("created directory NAME"): a daemon module's
/// server writes under the module's path but names what the client asked for (module-relative), as stock's chdir'd
/// daemon does. Null shows <paramref name="Destination"/>.
/// </param>
/// <param name="LinkTargets">
/// A daemon module's rewrite of each received symlink target, in list order: (name, target) -> stored target
/// (flist.c: recv_file_entry munges or sanitizes it); null stores targets as sent.
/// </param>
/// <param name="ModuleExcluded">
/// A daemon module's own rules on a name of the transfer ((name, isDirectory) -> excluded): such an entry is refused
/// ("daemon refused to receive"), a directory's contents skipped, and a local entry they exclude is never deleted
/// (generator.c: recv_generator; flist.c: get_dirlist). Null: no module rules.
/// </param>
/// <param name="ModuleName">
/// The daemon module received into, which a server's messages name as stock's do (util1.c: full_fname: "sub/name"
/// (in mod), from the module's root); null: the local path.
/// </param>
/// <param name="ModuleXattrRules">
/// A daemon module's own rules when one has the 'x' modifier: checked for an xattr name before the transfer's
/// (exclude.c: name_is_excluded, daemon_filter_list); null: none.
/// </param>
/// <param name="OptionDirectories">
/// A daemon module's resolution of the --backup-dir and --compare-dest/--copy-dest/--link-dest directories a client
/// named (sanitized and confined beneath the module, options.c and main.c: sanitize_path); null takes them as given,
/// relative ones from the receiving directory.
/// </param>
/// <param name="ModuleRoot">
/// A daemon module's path, beneath which --mkpath makes the destination's missing parents
/// (<paramref name="DisplayDestination"/> is the destination relative to it); null: they are made as the path is given.
/// </param>
/// <param name="ModuleSlashAtTop">
/// A daemon module whose messages name a file in the module's own directory "/x" (chrooted into the module:
/// util1.c: full_fname with module_dirlen 0); false: "x" (in mod).
/// </param>
internal sealed record ReceiveTarget(
    string? Destination,
    RequestedNames Requested,
    FilterList? Filters,
    bool KeepPartial = false,
    IProgress<TransferProgress>? Progress = null,
    string? TempDirectory = null,
    string? DisplayDestination = null,
    Func<byte[], byte[], byte[]>? LinkTargets = null,
    Func<string, bool, bool>? ModuleExcluded = null,
    OptionDirectoryResolver? OptionDirectories = null,
    string? ModuleName = null,
    FilterList? ModuleXattrRules = null,
    string? ModuleRoot = null,
    bool ModuleSlashAtTop = false)
{
    /// <summary>A daemon's reader of per-directory merge files (Server/ServerSources.PerDirectoryReader: beneath the module only).</summary>
    public Func<string, byte[]?>? ReadPerDirectoryFile { get; init; }
}

/// <summary>
/// Where a directory a client named in an option (<paramref name="dir"/>) is, for a receiving side whose files land in
/// <paramref name="receivingRoot"/> (a full path); <paramref name="mayClimb"/>: leading ".." may climb as far as the
/// receiving directory is below the root of what is served (basis directories), or not at all (the backup directory).
/// Returns the full path to open (null for a basis directory reached through a link that leads out of what is served:
/// nothing in it may be a basis, as stock's confined basis lookups find nothing there), the name to show in messages,
/// and the error that rejects the directory once every basis directory has been looked at (a daemon module's rules
/// exclude it), or null.
/// </summary>
internal delegate (string? Full, string Shown, string? Rejection) OptionDirectoryResolver(string receivingRoot, string dir, bool mayClimb);
