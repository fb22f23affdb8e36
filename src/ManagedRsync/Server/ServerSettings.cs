using ManagedRsync.Filters;

namespace ManagedRsync.Server;

/// <summary>
/// What the host of a server decides rather than the client: where paths start, whether they are confined, and a
/// daemon module's policy (rsync clientserver.c: rsync_module sets these before start_server runs).
/// </summary>
public sealed record ServerSettings
{
    /// <summary>
    /// The directory the client's paths are relative to: a daemon module's path, or a remote shell's working directory.
    /// </summary>
    public required string Root { get; init; }

    /// <summary>
    /// Every path the client names is resolved beneath <see cref="Root"/> without following a symlink out of it, and
    /// nothing outside it is read or written (a daemon module; stock's sanitize_paths and secure_relative_open). A
    /// remote-shell server (false) acts with its user's own rights, as stock's does.
    /// </summary>
    public bool Confined { get; init; }

    /// <summary>
    /// The protocol the daemon greetings settled (clientserver.c: exchange_protocols); null for a remote shell, where
    /// the versions are exchanged as int32s (compat.c: setup_protocol).
    /// </summary>
    public int? Protocol { get; init; }

    /// <summary>The daemon module's name (am_daemon: refusals say "configured to refuse", paths say "(in NAME)").</summary>
    public string? ModuleName { get; init; }

    /// <summary>
    /// util1.c: full_fname — whether a name in the module's own directory is said with a leading '/' ("/x" (in mod)):
    /// when module_dirlen is 0, i.e. chrooted into the module itself, or a module whose path is "/". Unchrooted (or
    /// chrooted to the outer part of a "/./" path) stock says "x" (in mod); from a subdirectory "/sub/x" either way.
    /// </summary>
    public bool ModuleSlashAtTop { get; init; }

    /// <summary>read only: a push is refused ("ERROR: module is read only", main.c: do_server_recv).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>write only: a pull is refused ("ERROR: module is write only", main.c: do_server_sender).</summary>
    public bool WriteOnly { get; init; }

    /// <summary>refuse options: space-separated option names or wildcards (options.c: set_refuse_options).</summary>
    public string? RefuseOptions { get; init; }

    /// <summary>The module's own filter rules (filter/include/exclude[-from]): excluded names are never sent.</summary>
    public FilterList? ModuleFilters { get; init; }

    /// <summary>timeout: the module's I/O timeout in seconds, which tightens the client's --timeout (0: none).</summary>
    public int Timeout { get; init; }

    /// <summary>temp dir: where received files are written before they are renamed (beneath the module).</summary>
    public string? TempDir { get; init; }

    /// <summary>
    /// munge symlinks: received symlink targets get the "/rsyncd-munged/" prefix and sent ones lose it (flist.c). A
    /// confined server that does not munge sanitizes received targets instead (sanitize_paths).
    /// </summary>
    public bool MungeSymlinks { get; init; }

    /// <summary>numeric ids: owner and group kept by number (the wire still carries the name lists, clientserver.c).</summary>
    public bool NumericIds { get; init; }

    /// <summary>ignore errors: deletions go ahead despite I/O errors, and a sent list reports none (flist.c, generator.c).</summary>
    public bool IgnoreErrors { get; init; }

    /// <summary>
    /// fake super: the module keeps owners, full modes and devices in the user.rsync.%stat xattr and lists what it
    /// says (clientserver.c: rsync_module sets am_root = -1).
    /// </summary>
    public bool FakeSuper { get; init; }

    /// <summary>ignore nonreadable: what this process cannot read is left out of a sent list (flist.c: make_file).</summary>
    public bool IgnoreNonreadable { get; init; }

    /// <summary>
    /// open noatime: null when the module does not say (the client's --open-noatime decides), else the module's value,
    /// which wins over the client's (clientserver.c: rsync_module, "if (lp_open_noatime(module_id) >= 0)").
    /// </summary>
    public bool? OpenNoAtime { get; init; }

    /// <summary>
    /// The module's "dont compress" has a "*" word (token.c: init_set_compression): a sender's zlib and zlibx streams
    /// are deflated at level 0 (stored blocks).
    /// </summary>
    public bool DontCompressAll { get; init; }

    /// <summary>
    /// A daemon module's "max verbosity": the server's --info levels are capped at what that many -v give
    /// (clientserver.c: rsync_module, limit_output_verbosity); null (not a daemon) caps nothing.
    /// </summary>
    public int? MaxVerbosity { get; init; }

    /// <summary>
    /// A message that ends the connection as soon as the protocol is set up, sent to the client as it is, exit 4 (a
    /// module's pre-xfer exec that failed: clientserver.c: rsync_module, err_msg).
    /// </summary>
    public string? StartError { get; init; }

    /// <summary>
    /// The module's "incoming chmod" (receiving) or "outgoing chmod" (sending) rules, applied after the client's
    /// (clientserver.c: rsync_module appends them to chmod_modes); null when it has none.
    /// </summary>
    public ChmodRules? ModuleChmod { get; init; }

    /// <summary>The daemon's log (log file / transfer logging); null logs nothing.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>
    /// transfer logging: each entry sent, received or deleted is written to <see cref="Log"/> in this format (the
    /// module's "log format"; clientserver.c: rsync_module sets logfile_format); null logs no entries. Its context
    /// gives the daemon's escapes (%h, %a, %m, %u, %P).
    /// </summary>
    public LogLine? TransferLog { get; init; }

    /// <summary>A daemon module's "name converter" for user and group names; null: the host's account files.</summary>
    internal IAccountNames? AccountNames { get; init; }
}
