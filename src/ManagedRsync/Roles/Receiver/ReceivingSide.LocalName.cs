using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Receiver;

// rsync main.c: get_local_name — where the list lands, opened once for both units.
internal sealed partial class ReceivingSide
{
    private async Task<long[]?> ReceiveTreeAsync(string destination, CancellationToken ct)
    {
        _run.ReadIdMaps();
        MakeDestinationPath(destination);
        (string root, string? singleName, bool announce) = LocalRoot(destination);
        _run.SingleFileName = singleName;
        // rsync main.c: get_local_name — a dry run does not make a missing destination (dry_run++ instead, after
        // which every entry is treated as missing and nothing local is looked at); with --mkpath, nor a lone file's
        // missing parent.
        bool dryMissingRoot = _options.DryRun && (singleName is null || _options.MakePath) && !Directory.Exists(root);
        ConfinedDirectory? opened = null;
        if (!dryMissingRoot)
        {
            try
            {
                opened = ConfinedDirectory.Open(root, create: singleName is null && !_options.DryRun, noAtime: _options.OpenNoAtime);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure && singleName is null)
            {
                // rsync main.c: get_local_name — "mkdir %s failed" ends the run with RERR_FILEIO (a missing parent:
                // only --mkpath makes those); a server names the destination as stock's does.
                string message = _run.IsServer && !_run.LocalServer && e.Errno is int errno && e.Message.StartsWith("mkdir ", StringComparison.Ordinal)
                    ? DestinationFailure("mkdir", destination, errno, keepSlash: false) : e.Message;
                throw new RsyncException(RsyncErrorKind.FileIo, message, e);
            }
        }
        using ConfinedDirectory? dest = opened;
        // syscall.c: secure_relative_open follows in-tree directory links; --no-implied-dirs (-R) relies on it here,
        // where the destination may hold a link in an implied directory's place, and -K (a link to a directory is
        // taken for that directory, generator.c: recv_generator with keep_dirlinks).
        if (dest is not null)
        {
            dest.FakeSuper = _options.FakeSuper;
            dest.ReadsAcls = _options.Acls;
        }
        if (dest is not null && (_options.KeepDirLinks || (_options.Relative && !_options.ImpliedDirs)))
            dest.FollowInTreeDirLinks = true;
        _run.Destination = dest;
        // util1.c: partial_dir_fname — an absolute --partial-dir is one directory for every file: a daemon's beneath its
        // module, a client's (and a remote shell's or a local copy's receiving half's) where the user put it.
        if (_options.PartialDir is ['/', ..] absolute)
        {
            if (_target.OptionDirectories is null)
                _run.OperatorPartialDir = new OperatorPartialDir(absolute, _options.OpenNoAtime, _options.FakeSuper);
            else
                _run.FixedPartialDir = FixedPartialDir(absolute, root);
        }
        using OperatorPartialDir? operatorPartialDir = _run.OperatorPartialDir;
        _run.RootCreated = dest?.WasCreated ?? true;
        // rsync main.c: get_local_name reports the destination directory it had to create (or, dry, would create); a
        // server's line goes to the client as MSG_INFO.
        if (ItemLog.IsLogging(_options) && _run.RootCreated && announce && _options.ReportsCreatedDirectory)
        {
            string shown = _target.DisplayDestination ?? destination;
            _run.Log.Info($"created directory {(shown.Length > 1 ? shown.TrimEnd('/') : shown)}");
        }
        // A client's entries come out in stock's order, on its output and in its --log-file alike.
        // A --read-batch run prints as it reads the batch: the order is the batch's.
        if (ItemLog.IsReporting(_options) && !_run.IsServer && _run.Batch is null)
            _run.Order = new OrderedLog(_run.Log, _run.Files.Count);
        _run.Backups.Announce(root);
        using ConfinedDirectory? tempDir = _target.TempDirectory is { } t && !_options.DryRun ? ConfinedDirectory.Open(t, create: false) : null;
        _run.TempDirectory = tempDir;
        using BasisDirectories? basis = BasisDirectories.Open(_options, root, dest is null, _run.Log, _target.OptionDirectories);
        _run.BasisDirectories = basis;
        try
        {
            return await RunUnitsAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _run.Order?.Flush();
            _run.Order = null;
            _run.Destination = null;
            _run.TempDirectory = null;
            _run.BasisDirectories = null;
            _run.OperatorPartialDir = null;
            _run.Backups.Dispose();
        }
    }

    /// <summary>
    /// util1.c: partial_dir_fname — an absolute --partial-dir is one directory for every file. A receiving daemon has it
    /// beneath its module (main.c: do_server_recv sanitizes it with the module's path in front) and reaches it through
    /// the links inside the module, as every path its client names (<see cref="ReceiveTarget.OptionDirectories"/>);
    /// our receiver reaches it from the destination, so one outside the receiving directory stays refused.
    /// </summary>
    private string FixedPartialDir(string partialDir, string root)
    {
        OptionDirectoryResolver resolve = _target.OptionDirectories!;
        string receiving = Path.GetFullPath(root);
        // A link out of the module on the way ends the run (ELOOP), as for --backup-dir: nothing outside is touched.
        string full = resolve(receiving, partialDir, mayClimb: false).Full!;
        string relative = Path.GetRelativePath(receiving, full);
        // Our destination follows no link on the way to a name; stock's operator-path walk follows the module's own
        // (syscall.c: owner_walk_parent): the directory is taken where they lead now, beneath the receiving directory.
        string? real = relative is ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? null : Platform.BeneathRoot.ResolveLinks(receiving, relative);
        if (real is null or ".")
            throw new RsyncException(RsyncErrorKind.Unsupported,
                "rsync: The server does not support an absolute --partial-dir outside the receiving directory");
        return real;
    }

    /// <summary>
    /// rsync main.c: get_local_name — an existing directory is the destination; a list of more than one entry, or a
    /// destination ending in '/', makes a missing destination directory ("created directory", Announce); otherwise
    /// the lone entry takes the destination's name in its parent (a lone directory is made there under that name).
    /// </summary>
    private (string Root, string? SingleName, bool Announce) LocalRoot(string destination)
    {
        int count = _run.FileTotal;
        bool trailingSlash = destination.EndsWith('/');
        if (Directory.Exists(destination))
            return (destination, null, false);
        bool existsAsFile = File.Exists(destination) || new FileInfo(destination).LinkTarget is not null;
        if (existsAsFile)
        {
            if (count > 1)
                throw new RsyncException(RsyncErrorKind.FileSelection,
                    "ERROR: destination must be a directory when copying more than 1 file");
            if (count == 1 && _run.FirstFile!.IsDirectory)
                throw new RsyncException(RsyncErrorKind.FileSelection,
                    "ERROR: cannot overwrite non-directory with a directory");
            if (trailingSlash)
                throw new RsyncException(RsyncErrorKind.Usage, "ERROR: destination path is not a directory");
        }
        if (count > 1 || trailingSlash)
            return (destination, null, true);
        if (count == 0 || !_run.FirstFile!.IsDirectory)
        {
            string full = Path.GetFullPath(destination);
            return (Path.GetDirectoryName(full) ?? "/", Path.GetFileName(full), false);
        }
        return (destination, null, false);
    }
}
