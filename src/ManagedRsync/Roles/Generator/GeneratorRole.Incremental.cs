using ManagedRsync.Destination;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// rsync generator.c: generate_files with inc_recurse — the file list's parts in the order they arrive: each part's
// directory settled in full at the slot before the part (ndx_start - 1: made, itemized, its extraneous entries
// deleted), then the part's entries (a directory among them waits for its own part); and check_for_finished_files'
// NDX_DONE for the oldest part once the walk has moved past it and none of its files is still on its way or due to
// be redone (redos are asked for at once, in this phase), so the sender can drop it. The last NDX_DONE ends the
// first phase (sender.c: send_files counts phases only when no part is left).
internal sealed partial class GeneratorRole
{
    /// <summary>The run's token (cancelled when the receiver fails).</summary>
    private CancellationToken _stop;

    /// <summary>Cancelled once the receiver's thread has ended, failed or not (ReceivingSide.RunUnitsAsync).</summary>
    public CancellationToken ReceiverEnded { get; init; }

    /// <summary>Requested files not yet settled, per part; null without incremental recursion.</summary>
    private PartProgress? _parts;

    /// <summary>rsync.h: MIN_FILECNT_LOOKAHEAD / 2 — the entries a -H generator wants listed before each part.</summary>
    private const int HardLinkLookahead = 500;

    /// <summary>The entries of the parts ended so far (flist.c: flist_free takes them off file_total).</summary>
    private int _endedEntries;

    /// <summary>How many parts the generator has taken, and their entries (flist.c: file_total grows as it reads them).</summary>
    private int _taken, _takenEntries;

    /// <summary>The receiver has read NDX_FLIST_EOF.</summary>
    private bool _listsComplete;

    private void GenerateIncrementally(CancellationToken ct)
    {
        IncrementalLists lists = run.Lists!;
        _stop = ct;
        _parts = new PartProgress(lists);
        bool walking = Destination is not null || run.Target.Destination is not null;
        if (walking)
            _keep = PlanDeletion();
        _flushed = run.Connection.Out.TotalWritten;
        int walked = 0, done = 0;
        while (true)
        {
            // Parts before the one the walk is on may end (generator.c: "if (cur_flist == first_flist) break").
            EndFinishedParts(ref done, walked - 1);
            while (walked == _taken && !AllTaken)
            {
                if (!TakePart())
                    WaitForReceiver(ref done, walked - 1, ct);
            }
            // generator.c: generate_files — with -H each part waits until the lists are complete or
            // MIN_FILECNT_LOOKAHEAD/2 entries are in the parts taken and not yet ended (wait_for_receiver reads one
            // more list each time), so that a group's later members in later parts are mostly known before its
            // earlier ones are generated (the last is the one transferred).
            while (Options.HardLinks && !AllTaken && _takenEntries - _endedEntries < HardLinkLookahead)
            {
                if (!TakePart())
                    WaitForReceiver(ref done, walked - 1, ct);
            }
            if (walked == _taken)
                break;
            IncrementalLists.Part part = lists.PartAt(walked);
            if (walking)
                WalkPart(part);
            walked++;
            while (run.ToGenerator.TryNext(out ReceiverMessage message))
                Handle(message);
        }
        _generating = -1;
        // generate_files' loop has ended (cur_flist is NULL): every part may end, the last one ending the phase.
        while (true)
        {
            EndFinishedParts(ref done, walked);
            if (done == walked)
                break;
            run.Connection.Send();
            Handle(NextFromReceiver(ct, SettledWanted(done, walked)));
        }
    }

    // How many FileSettled messages must have come before part DONE (the oldest not ended) can end, so that the wait
    // need not wake for fewer: its open requests, each settled by one message (or by a Redo, which wakes the wait at
    // once); none can matter while no part before LIMIT is left to end. With -H one message may settle several
    // entries (a skipped leader's put-off members: AbandonHardLinkGroup), so every one counts.
    private int SettledWanted(int done, int limit) =>
        Options.HardLinks ? 1 : done < limit ? _parts!.Open(done) : int.MaxValue;

    // The sender's lists are complete (NDX_FLIST_EOF came) and the generator has taken every part (flist_eof).
    private bool AllTaken => _listsComplete && _taken == run.Lists!.PartCount;

    private void WaitForReceiver(ref int done, int limit, CancellationToken ct)
    {
        run.Connection.Send();
        Handle(NextFromReceiver(ct, SettledWanted(done, limit)));
        while (run.ToGenerator.TryNext(out ReceiverMessage message))
            Handle(message);
        EndFinishedParts(ref done, limit);
    }

    // io.c: the generator takes the next list the receiver has read (recv_file_list, then match_hard_links): false
    // when none is waiting. Only taken parts are walked, and a part's hard-link members join their groups here, so
    // which member of a group is its last depends on what the generator has taken, as in stock.
    private bool TakePart()
    {
        IncrementalLists lists = run.Lists!;
        if (_taken == lists.PartCount)
            return false;
        IncrementalLists.Part part = lists.PartAt(_taken);
        run.MatchHardLinks(part.Start, part.End);
        _takenEntries += part.Count;
        _taken++;
        return true;
    }

    // The part's directory in full at ndx_start - 1, then its entries but the directories (generator.c: recv_generator
    // with is_dir -1 leaves them to their own part).
    private void WalkPart(IncrementalLists.Part part)
    {
        if (_keep is not null)
            KeepChildren(_keep, part.Start, part.End);
        if (part.Directory >= 0)
            GenerateAt(part.Start - 1);
        else
            run.Order?.GeneratorDone(part.Start - 1);
        for (int ndx = part.Start; ndx < part.End; ndx++)
        {
            if (Files[ndx].IsDirectory)
            {
                // A cleared copy of a directory gets no part of its own, where the others are counted.
                if (Files[ndx].Cleared)
                    CountCleared(Files[ndx]);
                run.Order?.GeneratorDone(ndx);
            }
            else
                GenerateAt(ndx);
            // generator.c: generate_files — check_for_finished_files after each entry: a group whose leader the
            // receiver has put in place is linked now, not after the part.
            if (Options.HardLinks)
            {
                while (run.ToGenerator.TryNext(out ReceiverMessage message))
                    Handle(message);
            }
        }
    }

    // generator.c: check_for_finished_files — NDX_DONE for each oldest part before `limit` that nothing holds.
    private void EndFinishedParts(ref int done, int limit)
    {
        while (done < limit && _parts!.IsSettled(done))
        {
            run.Lists!.GeneratorEnded(done + 1);
            _endedEntries += run.Lists.PartAt(done).Count;
            run.Connection.NdxOut.Write(run.Connection.Out, Ndx.Done);
            run.Batch?.Done();
            done++;
        }
    }

    // What the receiver said while the walk goes on; true when the sender's lists are complete.
    private bool Handle(ReceiverMessage message)
    {
        switch (message.Kind)
        {
            case ReceiverMessageKind.NewList:
                return false;
            case ReceiverMessageKind.ListsComplete:
                _listsComplete = true;
                return true;
            case ReceiverMessageKind.FileSettled:
                AbandonHardLinkGroup(message.Ndx);
                _parts!.Settled(message.Ndx);
                return false;
            case ReceiverMessageKind.Received:
                ConfirmToSender(message.Ndx, alsoForSentFiles: true);
                return false;
            case ReceiverMessageKind.HardLinkDone:
                FinishHardLinkGroup(message.Ndx);
                return false;
            case ReceiverMessageKind.Redo:
                _parts!.Settled(message.Ndx);
                RequestAgain(message.Ndx);
                return false;
            default:
                // The sender's NDX_DONE came before its lists were complete, and the receiver took it as the end of the
                // phase. The receiver reads on and refuses what follows in stock's words (flist.c: recv_file_list,
                // "refusing sub-flist after final flist was freed"), which is what stock's client is told; a wake of
                // this thread first must not put our words in their place. So ours only once the receiver has ended
                // without failing: its failure cancels `_stop`, and its end, whichever way, ReceiverEnded
                // (ReceivingSide.RunUnitsAsync). The bound only keeps a receiver stuck in a system call from holding
                // the error back for ever.
                WaitHandle.WaitAny([_stop.WaitHandle, ReceiverEnded.WaitHandle], TimeSpan.FromSeconds(5));
                throw RsyncException.Protocol($"the receiver ended a phase (message {message.Kind}) before the file lists did");
        }
    }

    /// <summary>
    /// rsync generator.c: check_for_finished_files with check_redo — a file that failed its whole-file check is asked
    /// for again with full-length sums.
    /// </summary>
    private void RequestAgain(int ndx)
    {
        // generator.c: the redo is a whole recv_generator, itemized against what is there now (an --inplace attempt
        // has changed the file's size and time).
        EntryStatus? local = Destination!.Stat(NameOf(ndx));
        Request(ndx, redo: true, local, ItemizeAgainst(Files[ndx], local, ItemChanges.Transfer | (Options.AlwaysChecksum ? ItemChanges.Checksum : 0)));
    }

    /// <summary>generator.c: flist->in_progress — requests per part that the receiver has not settled.</summary>
    private sealed class PartProgress(IncrementalLists lists)
    {
        private readonly List<int> _open = [];

        public void Requested(int ndx) => Add(lists.PartOf(ndx), 1);

        public void Settled(int ndx) => Add(lists.PartOf(ndx), -1);

        public bool IsSettled(int part) => part >= _open.Count || _open[part] == 0;

        /// <summary>The part's requests not settled yet.</summary>
        public int Open(int part) => part >= _open.Count ? 0 : _open[part];

        private void Add(int part, int delta)
        {
            while (_open.Count <= part)
                _open.Add(0);
            _open[part] += delta;
        }
    }
}
