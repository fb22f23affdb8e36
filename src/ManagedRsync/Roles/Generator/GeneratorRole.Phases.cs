using ManagedRsync.Destination;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// The order of the end-of-phase indexes on both sides (rsync generator.c: generate_files, receiver.c: recv_files,
// sender.c: send_files, main.c: do_recv and read_final_goodbye), as a stock 3.5.0 daemon exchanges them:
//   generator -> sender:  requests, DONE | redo requests, DONE, DONE (29+), [del stats,] DONE (31+) | DONE (goodbye)
//   sender -> receiver:   files, DONE | redo files, DONE (29+), DONE | stats | DONE (31+)
internal sealed partial class GeneratorRole
{
    /// <summary>Runs on its own thread (see <c>Receiver/ReceivingSide</c>) from the first request to the goodbye.</summary>
    public void Run(CancellationToken ct)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var conn = run.Connection;
        conn.ServerLog?.TakeOutput();
        // Phase 1: every entry of the list (with incremental recursion: of each part, each part ended by its NDX_DONE).
        if (run.Lists is not null)
        {
            GenerateIncrementally(ct);
        }
        else
        {
            if (Files.Count > 0 && (Destination is not null || run.Target.Destination is not null))
                GenerateAll();
            conn.NdxOut.Write(conn.Out, Ndx.Done);
            run.Batch?.Done();
        }
        conn.Send();
        run.Order?.Release(Files.Count);

        // The redo pass (generator.c: check_for_finished_files with check_redo): the files the receiver found
        // corrupt in phase 1, asked for again with full-length strong sums, then the closing indexes in one go.
        var redo = new List<int>();
        for (ReceiverMessage message; (message = NextFromReceiver(ct)).Kind != ReceiverMessageKind.PhaseDone;)
            redo.Add(message.Ndx);
        run.Order?.Flush();
        foreach (int ndx in redo)
            RequestAgain(ndx);
        conn.NdxOut.Write(conn.Out, Ndx.Done);
        // rsync generator.c: EARLY_DELAY_DONE_MSG — with --delay-updates the delay phase's NDX_DONE waits until the
        // receiver has put the held files in place (and said which hard-link leaders are done).
        bool delay = Options.DelayUpdates && Protocol >= 29;
        if (Protocol >= 29 && !delay)
            conn.NdxOut.Write(conn.Out, Ndx.Done);
        // rsync generator.c: EARLY_DELETE_DONE_MSG — after --delete-delay/--delete-after the deletion counts and
        // their NDX_DONE go out only once the late deletions are done, after every transfer.
        bool late = _keep is not null && EffectiveDeleteTiming is DeleteTiming.Delay or DeleteTiming.After;
        if (!late)
            ReportDeletionLimit();
        if (Protocol >= 31 && !late)
            WriteDeleteDone(done: !delay);
        conn.Send();

        // The receiver's remaining phases (the redo files, then the sender's closing indexes).
        for (int phase = 2; phase <= run.MaxPhase + 1; phase++)
        {
            ExpectFromReceiver(ReceiverMessageKind.PhaseDone, ct);
            if (delay && phase == 2)
            {
                conn.NdxOut.Write(conn.Out, Ndx.Done);
                if (Protocol >= 31 && !late)
                    conn.NdxOut.Write(conn.Out, Ndx.Done);
                conn.Send();
            }
        }
        if (late)
        {
            run.Order?.Flush();
            if (EffectiveDeleteTiming == DeleteTiming.Delay)
                DeleteRemembered();
            else
                DeletePass();
            ReportDeletionLimit();
            if (Protocol >= 31)
            {
                WriteDeleteDone();
                conn.Send();
            }
        }

        ExpectFromReceiver(ReceiverMessageKind.Finished, ct);
        // rsync generator.c: generate_files ends with touch_up_dirs before main.c: do_recv's goodbye, so a client
        // that exits on the goodbye finds the directories' times and modes already set.
        if (run.IsServer)
            FinishTree();
        // rsync main.c: do_recv — handle_stats(-1) after generate_files, before the goodbye: --info=stats3's block,
        // after the receiver's (which a server's output carries first).
        HeapStatistics.Report(run.Log, Options, run.IsServer, "generator", GC.GetAllocatedBytesForCurrentThread() - allocated);
        if (Protocol >= 24)
        {
            conn.NdxOut.Write(conn.Out, Ndx.Done);
            conn.Send();
        }
        FinishTree();
    }

    private void ExpectFromReceiver(ReceiverMessageKind expected, CancellationToken ct)
    {
        ReceiverMessage message = NextFromReceiver(ct);
        if (message.Kind != expected)
            throw RsyncException.Protocol($"redo request for index {message.Ndx} after phase 1");
    }

    /// <summary>
    /// The receiver's next message other than a finished hard-link leader, whose group is linked on the way (rsync
    /// generator.c: check_for_finished_files while it waits for the receiver).
    /// </summary>
    private ReceiverMessage NextFromReceiver(CancellationToken ct, int settledWanted = 1)
    {
        while (true)
        {
            ReceiverMessage message = run.ToGenerator.Next(ct, settledWanted);
            if (message.Kind == ReceiverMessageKind.Received)
                ConfirmToSender(message.Ndx, alsoForSentFiles: true);
            else if (message.Kind == ReceiverMessageKind.HardLinkDone)
                FinishHardLinkGroup(message.Ndx);
            else
                return message;
            run.Connection.Send();
        }
    }

    // rsync generator.c: generate_files at protocol 31 — the deletion counts (when deleting or with --force) and an
    // NDX_DONE.
    private void WriteDeleteDone(bool done = true)
    {
        if (Options.IsDeleting || Options.Force)
            run.Connection.WriteDeleteStats(run.Stats);
        if (done)
            run.Connection.NdxOut.Write(run.Connection.Out, Ndx.Done);
    }

    // rsync generator.c: touch_up_dirs, once per run (a server does it before its goodbye).
    private void FinishTree()
    {
        if (Options.DryRun || Destination is null || _treeFinished)
            return;
        _treeFinished = true;
        FinishDirectories();
    }
}
