using System.Collections.Concurrent;
using ManagedRsync.Delta;
using ManagedRsync.Destination;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;

using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

// The order of the end-of-phase indexes on both sides (rsync generator.c: generate_files, receiver.c: recv_files,
// sender.c: send_files, main.c: do_recv and read_final_goodbye), as a stock 3.5.0 daemon exchanges them:
//   generator -> sender:  requests, DONE | redo requests, DONE, DONE (29+), [del stats,] DONE (31+) | DONE (goodbye)
//   sender -> receiver:   files, DONE | redo files, DONE (29+), DONE | stats | DONE (31+)
internal sealed partial class ReceiverRole
{
    private NdxCodec _ndxOut = null!;
    private NdxCodec _ndxIn = null!;
    private readonly ConcurrentDictionary<int, PendingFile> _pending = new();

    /// <summary>A requested file: the sum header we sent and what the generator found at its name.</summary>
    private readonly record struct PendingFile(SumHeader Header, EntryStatus? Local, ItemFlags Flags);
    private ConfinedDirectory? _dest;

    // rsync receiver.c / sender.c: max_phase.
    private int MaxPhase => Protocol >= 29 ? 2 : 1;

    private async Task ReceiveTreeAsync(string destination, CancellationToken ct)
    {
        (string root, string? singleName, bool announce) = LocalRoot(destination);
        _singleFileName = singleName;
        // rsync main.c: get_local_name — a dry run does not make a missing destination (dry_run++ instead, after
        // which every entry is treated as missing and nothing local is looked at).
        bool dryMissingRoot = _options.DryRun && singleName is null && !Directory.Exists(root);
        ConfinedDirectory? opened = null;
        if (!dryMissingRoot)
        {
            try
            {
                opened = ConfinedDirectory.Open(root, create: singleName is null && !_options.DryRun);
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo && singleName is null)
            {
                // rsync main.c: get_local_name — "mkdir %s failed" ends the run with RERR_FILEIO (a missing parent:
                // only --mkpath makes those).
                throw new RsyncException(RsyncErrorKind.FileIo, RsyncExitCode.FileIo, e.Message, e);
            }
        }
        using ConfinedDirectory? dest = opened;
        _dest = dest;
        _rootCreated = dest?.WasCreated ?? true;
        if (ItemLog.IsLogging(_options))
        {
            // rsync main.c: get_local_name reports the destination directory it had to create (or, dry, would
            // create); a server's line goes to the client as MSG_INFO.
            if (_rootCreated && announce)
                _log.Info($"created directory {(destination.Length > 1 ? destination.TrimEnd('/') : destination)}");
            if (!IsServer)
                _order = new OrderedLog(_log, _files.Count);
        }
        using ConfinedDirectory? tempDir = _target.TempDirectory is { } t && !_options.DryRun ? ConfinedDirectory.Open(t, create: false) : null;
        _tempDir = tempDir;
        try
        {
            await RunPhasesAsync(ct).ConfigureAwait(false);
            FinishTree();
        }
        finally
        {
            _order?.Flush();
            _order = null;
            _dest = null;
            _tempDir = null;
        }
    }

    /// <summary>
    /// rsync main.c: get_local_name — an existing directory is the destination; a list of more than one entry, or a
    /// destination ending in '/', makes a missing destination directory ("created directory", Announce); otherwise
    /// the lone entry takes the destination's name in its parent (a lone directory is made there under that name).
    /// </summary>
    private (string Root, string? SingleName, bool Announce) LocalRoot(string destination)
    {
        bool trailingSlash = destination.EndsWith('/');
        if (Directory.Exists(destination))
            return (destination, null, false);
        bool existsAsFile = File.Exists(destination) || new FileInfo(destination).LinkTarget is not null;
        if (existsAsFile)
        {
            if (_files.Count > 1)
                throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.FileSelect,
                    "ERROR: destination must be a directory when copying more than 1 file");
            if (_files.Count == 1 && _files[0].IsDirectory)
                throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.FileSelect,
                    "ERROR: cannot overwrite non-directory with a directory");
            if (trailingSlash)
                throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Syntax, "ERROR: destination path is not a directory");
        }
        if (_files.Count > 1 || trailingSlash)
            return (destination, null, true);
        if (_files.Count == 0 || !_files[0].IsDirectory)
        {
            string full = Path.GetFullPath(destination);
            return (Path.GetDirectoryName(full) ?? "/", Path.GetFileName(full), false);
        }
        return (destination, null, false);
    }

    // rsync hlink.c: finish_hardlink and generator.c: touch_up_dirs, once per run (a server does it before its goodbye).
    private void FinishTree()
    {
        if (_options.DryRun || _dest is null || _treeFinished)
            return;
        _treeFinished = true;
        FinishHardLinks();
        FinishDirectories();
    }

    private bool _treeFinished;

    private Task FinishWithoutTransfersAsync(CancellationToken ct) => RunPhasesAsync(ct);

    private async Task RunPhasesAsync(CancellationToken ct)
    {
        // Phase 1: the generator walks the sorted list on its own thread while the receiver takes the answers on
        // another; both are synchronous (the receiver's note in ReceiverRole.Receiver.cs says why).
        Task generator = RunOnOwnThread(() =>
        {
            _conn.ServerLog?.TakeOutput();
            if (_files.Count > 0 && (_dest is not null || _target.Destination is not null))
                GenerateAll();
            _ndxOut.Write(_out, Ndx.Done);
            _conn.Send();
            _order?.Release(_files.Count);
        }, ct);
        Task receiver = RunOnOwnThread(() => ReceiveAll(generator, ct), ct);
        // Whichever fails first ends the session; the other is abandoned with it.
        Task first = await Task.WhenAny(generator, receiver).ConfigureAwait(false);
        await first.ConfigureAwait(false);
        await receiver.ConfigureAwait(false);
        _in.DrainArrived();
    }

    private static Task RunOnOwnThread(Action work, CancellationToken ct) =>
        Task.Factory.StartNew(work, ct, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void ReceiveAll(Task generator, CancellationToken ct)
    {
        var redo = new List<int>();
        ReceivePhase(redo, ct);
        generator.GetAwaiter().GetResult();
        _conn.ServerLog?.TakeOutput();
        _order?.Flush();

        // Phase 2: the redo pass with full-length block sums, then the closing indexes in one go.
        foreach (int ndx in redo)
        {
            EntryStatus? local = _dest!.Stat(NameOf(ndx));
            Request(ndx, redo: true, local, ItemFlags.Transfer | (local is null ? ItemFlags.IsNew : 0));
        }
        _ndxOut.Write(_out, Ndx.Done);
        if (Protocol >= 29)
            _ndxOut.Write(_out, Ndx.Done);
        // rsync generator.c: EARLY_DELETE_DONE_MSG — after --delete-delay/--delete-after the deletion counts and
        // their NDX_DONE go out only once the late deletions are done, after every transfer.
        bool late = _keep is not null && EffectiveDeleteTiming is DeleteTiming.Delay or DeleteTiming.After;
        if (Protocol >= 31 && !late)
            WriteDeleteDone();
        _conn.Send();

        for (int phase = 2; phase <= MaxPhase + 1; phase++)
            ReceivePhase(redo: null, ct);
        foreach (int ndx in _pending.Keys)
            ReportFailure($"ERROR: {FileNameEncoding.Display(NameOf(ndx))} failed verification -- update discarded.");

        if (late)
        {
            _order?.Flush();
            if (EffectiveDeleteTiming == DeleteTiming.Delay)
                DeleteRemembered();
            else
                DeletePass();
            if (Protocol >= 31)
            {
                WriteDeleteDone();
                _conn.Send();
            }
        }

        // rsync main.c: handle_stats — a server sender reports its totals to a client receiver; a client sender keeps
        // its own, so a server receiver reads none.
        if (!IsServer)
            ReadSenderStats(ct);
        if (Protocol >= 31)
        {
            // rsync main.c: read_final_goodbye — the NDX_DONE a sender echoes once it has our deletion counts.
            int last = ReadNdxSkippingDeleteStats(ct);
            if (last != Ndx.Done)
                throw RsyncException.Protocol($"Invalid packet at end of run ({last})");
        }
        if (IsServer)
        {
            // rsync generator.c: generate_files ends with touch_up_dirs before main.c: do_recv's goodbye, so a client
            // that exits on the goodbye finds the directories' times and modes already set.
            FinishTree();
        }
        if (Protocol >= 24)
        {
            _ndxOut.Write(_out, Ndx.Done);
            _conn.Send();
        }
    }

    // rsync generator.c: generate_files at protocol 31 — the deletion counts (when deleting) and an NDX_DONE.
    private void WriteDeleteDone()
    {
        if (_options.IsDeleting)
            _conn.WriteDeleteStats(_stats);
        _ndxOut.Write(_out, Ndx.Done);
    }

    // rsync rsync.c: read_ndx_and_attrs — NDX_DEL_STATS carries the deletion counts (a daemon sender echoes ours).
    private int ReadNdxSkippingDeleteStats(CancellationToken ct)
    {
        while (true)
        {
            int ndx = Wait(_in.ReadNdxAsync(_ndxIn, ct));
            if (ndx != Ndx.DelStats)
                return ndx;
            Wait(_conn.ReadDeleteStatsAsync(into: null, ct));
        }
    }


    // rsync log.c: FERROR_XFER — the run becomes a partial transfer (exit 23); a server tells the client so.
    private void ReportFailure(string message)
    {
        _sawErrors = true;
        if (_conn.ServerLog is { } server)
            server.Failure(message);
        else
            _log.Error(message);
    }
}
