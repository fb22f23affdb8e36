using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Receiver;

// rsync receiver.c: recv_files' loop and receive_data — takes each file the sender answers with, rebuilds it from the
// basis and the token stream into a temporary file, checks the whole-file sum and renames it into place. The reads
// are synchronous on the receiver's own thread: most are served from the multiplex reader's buffer without waiting,
// and the few that must wait block this thread only, never the thread pool that runs the socket pump.
internal sealed partial class ReceiverRole
{
    /// <summary>How far a file may outgrow its file-list size before we stop writing (see <see cref="BoundedDeltaSource"/>).</summary>
    private const long GrowthAllowance = 16 << 20;

    /// <summary>Read-ahead for a basis file: consecutive matched blocks are read in one system call.</summary>
    private const int BasisBufferSize = 1 << 20;

    // progress.c: stats.total_transferred_size as recv_files counts it (every file whose data comes).
    private long _startedSize;

    // progress.c: cur_flist — the part of the last index read (the first part until then), -1 once every part is gone.
    private int _currentPart;

    // progress.c: set_current_file_index — an entry's place among all entries listed: with incremental recursion an
    // index less the number of its part (flist.c: flist_new numbers part k from ndx_start, its flist_num k + 1).
    private TransferProgress ProgressAt(string name, int ndx, long done, long size)
    {
        IncrementalLists? lists = run.Lists;
        int place = lists is null ? ndx : ndx - (lists.PartOf(ndx) + 1);
        return new TransferProgress(name, done, size, place, run.Stats.NumFiles)
        {
            ListsIncomplete = lists is { Complete: false },
            TotalSize = run.Stats.TotalSize,
            TransferredSize = _startedSize,
        };
    }

    // receiver.c: recv_files — an NDX_DONE read while a list is current ends the whole-transfer progress line again
    // (end_progress(0), shown under --info=progress2) at the list's last entry; with incremental recursion a
    // first-phase NDX_DONE then frees the oldest part, and a current part that goes makes the next one current
    // (flist.c: flist_free), none after the last.
    private void EndOfListProgress(bool firstPass)
    {
        IncrementalLists? lists = run.Lists;
        if (run.Target.Progress is not { } progress || lists is not null && _currentPart < 0)
            return;
        int last = run.Stats.NumFiles - 1;
        if (lists is not null)
        {
            IncrementalLists.Part part = lists.PartAt(_currentPart);
            last = part.End - 1 - (_currentPart + 1);
        }
        progress.Report(new TransferProgress("", 0, 0, last, run.Stats.NumFiles)
        {
            ListsIncomplete = lists is { Complete: false },
            TotalSize = run.Stats.TotalSize,
            TransferredSize = _startedSize,
            EndOfList = true,
        });
        if (lists is null || !firstPass)
            return;
        int oldest = lists.DonesSeen;
        if (_currentPart == oldest)
            _currentPart = oldest + 1 < lists.PartCount ? oldest + 1 : -1;
    }

    /// <summary>Reads the sender's answers until its next end-of-phase index.</summary>
    private void ReceivePhase(bool firstPass, CancellationToken ct)
    {
        _decoder ??= TokenCodecFactory.CreateDecoder(run.Codec, Protocol, new MultiplexDataStream(run.Connection.In, ct));
        _fileSum ??= FileChecksum.CreateTransferSum(run.Checksum, run.Connection.Parameters.ChecksumSeed);
        _writer ??= new TempFileWriter();
        IncrementalLists? lists = firstPass ? run.Lists : null;
        while (true)
        {
            // Our generator offers no basis but the file itself (FNAMECMP_FNAME) and no alternate name.
            // A part announced after the first phase is read only to be refused as stock refuses it (flist.c:
            // recv_file_list, "refusing sub-flist after final flist was freed").
            NdxAndAttrs next = Wait(NdxAndAttrs.ReadAsync(run.Connection, run.Files, deleteStats: null, alternatesOffered: false, ct,
                run.Lists is null ? null : run.Lists.ReadAnnouncedAsync));
            // receiver.c: recv_files — in a --read-batch run the list the NDX_DONE ends is settled with the generator:
            // what it asked for and the batch did not hold is reported.
            if (next.IsDone && firstPass && run.Batch is not null)
                SettleBatchList(lists, ct);
            if (next.IsDone)
                EndOfListProgress(firstPass);
            // rsync receiver.c: recv_files — with incremental recursion each NDX_DONE of the first phase drops the
            // oldest part; the phase ends with the last.
            if (next.IsDone && (lists is null || lists.DoneReceived()))
                return;
            if (next.IsDone)
                continue;
            int ndx = next.Ndx;
            if (run.Lists is { } parts)
                _currentPart = parts.PartOf(ndx);
            // receiver.c: recv_files — an index of a duplicate the list's cleaning dropped is never acted on.
            if (run.Files[ndx].Cleared)
                throw RsyncException.Protocol($"refusing transfer of cleared file index {ndx}");
            // receiver.c: recv_files — the long xattr values the generator asked for follow the attributes.
            if (run.Xattrs is { } xattrs && XattrExchange.Follows(run.Options, run.Connection.Parameters, next.Flags))
                Wait(xattrs.ReadValuesAsync(run.Connection.In, run.Files[ndx].XattrIndex, () => FileNameEncoding.Display(run.NameOf(ndx)), ct));
            // The sender answers in the order it was asked: everything up to this index has gone out.
            run.Order?.Release(ndx + 1);
            if ((next.Flags & ItemChanges.Transfer) == 0)
            {
                // receiver.c: recv_files — an entry whose xattrs alone changed has them set now (not a hard link's
                // follower: its leader's are its own).
                if (XattrExchange.ReceiverSetsAttributes(run.Options, next.Flags))
                    run.SetAttributesInPlace(run.Files[ndx], run.NameOf(ndx));
                // An itemized non-transfer echoed back for logging (rsync log.c: maybe_log_item); our generator prints
                // its own, but a --read-batch run's lines are the batch's.
                if (run.Batch is not null)
                    run.LogItem(ndx, run.Files[ndx], next.Flags, now: true);
                continue;
            }
            if (run.Batch is { } batch && !BatchWanted(batch, ndx, firstPass, lists, ct))
                continue;
            Received outcome = Received.Done;
            if (run.Options.DryRun)
            {
                // receiver.c: recv_files with write_batch < 0 — logged as a dry run's; a client reads the data past
                // (it went to the batch as it was read), a server got none.
                if (run.Options.OnlyWriteBatch && !run.IsServer)
                    DiscardData(run.Files[ndx], ct);
                ReceiveDryRun(ndx);
            }
            else
                outcome = ReceiveFile(ndx, firstPass && !_redone.Contains(ndx), lists is not null, ct, next.Flags);
            // Incremental recursion redoes a file within the first phase (generator.c: check_for_finished_files),
            // so the second failure must be the last; and the generator counts what is settled per part (a file on
            // the finishing thread is settled there, once in place).
            if (outcome == Received.Redo)
                _redone.Add(ndx);
            else if (outcome == Received.Done && lists is not null)
                run.ToGenerator.FileSettled(ndx);
        }
    }

    // receiver.c: recv_files with read_batch — whether the generator asked for the batched file (gen_wants_ndx, or
    // we_want_redo in the redo phase); if not, "(Skipping batched update for ...)" and its data is read past
    // (discard_receive_data).
    private bool BatchWanted(BatchWants batch, int ndx, bool firstPass, IncrementalLists? lists, CancellationToken ct)
    {
        bool wanted = firstPass
            ? batch.Wants(ndx, lists is null ? 0 : lists.PartOf(ndx) + 1, missing => NoBatchedUpdate(missing, resend: false), ct)
            : batch.WantsRedo(ndx, missing => NoBatchedUpdate(missing, resend: true));
        if (wanted)
            return true;
        run.Log.Info($"(Skipping batched update for{(firstPass ? "" : " resend of")} \"{FileNameEncoding.Display(run.NameOf(ndx))}\")");
        DiscardData(run.Files[ndx], ct);
        return false;
    }

    // receiver.c: the NDX_DONE of a list in the first phase — gen_wants_ndx up to the list's end.
    private void SettleBatchList(IncrementalLists? lists, CancellationToken ct)
    {
        int end = run.Files.Count, number = 0;
        if (lists is not null)
        {
            int oldest = lists.DonesSeen;
            if (oldest >= lists.PartCount)
                return;
            end = lists.PartAt(oldest).End;
            number = oldest + 1;
        }
        run.Batch!.Wants(end, number, missing => NoBatchedUpdate(missing, resend: false), ct);
    }

    // receiver.c: no_batched_update — FERROR_XFER (the run is partial); the generator stops waiting for it (MSG_NO_SEND).
    private void NoBatchedUpdate(int ndx, bool resend)
    {
        run.Pending.TryRemove(ndx, out _);
        run.ReportFailure($"(No batched update for{(resend ? " resend of" : "")} \"{FileNameEncoding.Display(run.NameOf(ndx))}\")");
        if (run.Lists is not null)
            run.ToGenerator.FileSettled(ndx);
    }

    // receiver.c: discard_receive_data — the sum header, the tokens and the whole-file sum, read and dropped.
    private void DiscardData(FileEntry file, CancellationToken ct)
    {
        Span<byte> headBytes = stackalloc byte[SumHeader.WireSize(Protocol)];
        ReadExactly(headBytes, ct);
        SumHeader head = SumHeader.Read(headBytes, Protocol, ChecksumNames.DigestLength(run.Checksum));
        _decoder!.BeginFile(head.Count, file.Size + GrowthAllowance);
        while (_decoder.Read(out _, out _) != DeltaTokenKind.End)
        {
        }
        Span<byte> sum = stackalloc byte[_fileSum!.DigestLength];
        ReadExactly(sum, ct);
    }

    // rsync receiver.c: recv_files with do_xfers off — the echoed index is the whole answer: counted, logged, no data.
    private void ReceiveDryRun(int ndx)
    {
        FileEntry file = run.Files[ndx];
        if (!run.Pending.TryRemove(ndx, out PendingFile pending) || !file.IsRegular)
            throw RsyncException.Protocol($"the daemon sent \"{run.NameOf(ndx)}\", which we did not ask for");
        run.Stats.TransferredFiles++;
        run.Stats.TotalTransferredSize += file.Size;
        if ((pending.Flags & ItemChanges.IsNew) != 0)
            run.Stats.CreatedFiles++;
        run.LogItem(ndx, file, pending.Flags, figures: TransferFigures.DryRun(run.Checksum));
        run.Order?.TransferDone(ndx);
    }

    // The entry's report as its data goes: in file-list order the first time, at once for a redo.
    private void LogTransfer(int ndx, FileEntry file, ItemChanges iflags, bool firstPass, TransferFigures? figures)
    {
        if (firstPass)
        {
            run.LogItem(ndx, file, iflags, figures: figures);
            run.Order?.Announce(ndx);
        }
        else
        {
            run.LogItem(ndx, file, iflags, now: true, figures: figures);
        }
    }

    /// <summary>What became of a file received.</summary>
    private enum Received
    {
        /// <summary>In place, or failed for good.</summary>
        Done,

        /// <summary>It failed its check and the generator was asked to redo it.</summary>
        Redo,

        /// <summary>Checked, and handed to the finishing thread, which settles it.</summary>
        Finishing,
    }

    /// <summary>Receives one file.</summary>
    private Received ReceiveFile(int ndx, bool firstPass, bool settles, CancellationToken ct, ItemChanges? echoedFlags = null)
    {
        string name = run.NameOf(ndx);
        FileEntry file = run.Files[ndx];
        if (!run.Pending.TryRemove(ndx, out PendingFile pending) || !file.IsRegular)
            throw RsyncException.Protocol($"the daemon sent \"{name}\", which we did not ask for");
        SumHeader sent = pending.Header;
        // A --read-batch run logs the batch's item flags (the original run's), as stock's receiver logs what it read.
        if (run.Batch is not null && echoedFlags is { } batchFlags)
            pending = pending with { Flags = batchFlags };
        // rsync log.c: with a format that has no %b/%c/%C the line is printed before the data (log_before_transfer),
        // so --progress lines follow their name; receiver.c: recv_files logs a redo again, with the redo's flags.
        // log.c: remember_initial_stats — %b counts from here (the index and attributes already read).
        long read0 = run.Connection.In.Consumed;
        // receiver.c: recv_files counts the file's size in stats.total_transferred_size before its data.
        _startedSize += file.Size;
        if (!_logsAfterTransfer)
            LogTransfer(ndx, file, pending.Flags, firstPass, figures: null);
        // progress.c: the first line comes with the first token (show_progress); an empty file has only its last.
        if (file.Size > 0)
            run.Target.Progress?.Report(ProgressAt(name, ndx, 0, file.Size));

        // rsync io.c: read_sum_head — the sender echoes the header we sent; anything else is not a delta against our basis.
        Span<byte> headBytes = stackalloc byte[SumHeader.WireSize(Protocol)];
        ReadExactly(headBytes, ct);
        SumHeader echoed = SumHeader.Read(headBytes, Protocol, ChecksumNames.DigestLength(run.Checksum));
        // In a --read-batch run the batch's header is the only one: the data was made against the original basis's sums,
        // and is applied to the file of that name here (receiver.c reads the header, whoever sent it).
        if (run.Batch is not null)
            sent = echoed;
        else if (echoed != sent)
            throw RsyncException.Protocol($"sum header for \"{name}\" does not match the one we sent");

        ConfinedDirectory dest = run.Destination!;
        EntryStatus? existing = pending.Local;
        // The basis is the destination's own file, or the generator's pick from the basis directories (--link-dest...).
        using SafeFileHandle? basisHandle = sent.Count > 0 ? (pending.BasisDirectory ?? dest).OpenBasis(pending.BasisName ?? name) : null;
        if (sent.Count > 0 && basisHandle is null)
            throw ConfinedDirectory.IoError("open basis", name, 2);
        // --inplace writes into the file itself (receiver.c: recv_files, "inplace"); else a temporary file beside it.
        bool inPlace = run.Options.Inplace;
        // A temporary file's matched blocks are read into the writer's buffer (ReceiverRole.Patch.cs); in place, and
        // for blocks longer than that buffer (before protocol 30), block by block through a buffered stream.
        bool intoBuffer = !inPlace && sent.BlockLength <= TempFileWriter.BufferSize;
        using FileStream? basis = basisHandle is null || intoBuffer ? null
            : new FileStream(basisHandle, FileAccess.Read, (int)Math.Min(BasisBufferSize, Math.Max(4096, (long)sent.Count * sent.BlockLength)));
        ConfinedTempFile? temp = null;
        if (!inPlace && !TryCreateTempFile(dest, name, out temp))
        {
            // receiver.c: recv_files — the data is read past (discard_receive_data) and the run goes on.
            DiscardTokens(echoed, file, ct);
            return Received.Done;
        }
        using SafeFileHandle? inPlaceFile = inPlace ? dest.OpenInPlace(name) : null;
        SafeFileHandle output = inPlaceFile ?? temp!.Handle;
        // --append (not on a redo): the sender sends only what follows the length the header describes.
        long appendFrom = inPlace && run.Options.Append && firstPass ? AppendedLength(sent) : 0;
        bool keep = false, handedOver = false;
        try
        {
            var tokens = new BoundedDeltaSource(_decoder!, file.Size + GrowthAllowance, name);
            _decoder!.BeginFile(appendFrom > 0 ? 0 : sent.Count, file.Size + GrowthAllowance);
            _writer!.Start(output, appendFrom);
            _writer.InPlace = inPlace;
            _writer.Sparse = run.Options.Sparse;
            _writer.Fsync = run.Options.Fsync;
            FileChecksum? patchSum = _fileSum;
            if (appendFrom > 0)
            {
                // receiver.c: receive_data — --append-verify (and --append before protocol 30) sums the kept start.
                _fileSum!.Reset();
                if (run.Options.AppendVerify || Protocol < 30)
                    SumKeptStart(basis, appendFrom, _fileSum);
                _writer.Sum = _fileSum;
                patchSum = null;
            }
            // receiver.c: receive_data preallocates the sender's length (--preallocate; in place only when the file
            // grows); a failure is only a warning.
            bool preallocating = run.Options.Preallocate && (!inPlace || file.Size > (existing?.Size ?? 0));
            if (preallocating && _writer.Preallocate(file.Size) is not 0 and int errno)
                run.Log.Error($"do_fallocate \"{FileNameEncoding.Display(name)}\" failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            else if (!preallocating && inPlace && run.Options.Sparse)
                _writer.SizeInPlace(existing is { IsRegularFile: true } had ? had.Size : 0, startEmpty: run.Options.WholeFile);
            if (run.Target.Progress is { } progress)
            {
                // progress.c: show_progress as the data comes (the printer shows at most one line a second); the
                // last line is the one after the whole-file check.
                _writer.Written = done =>
                {
                    if (done < file.Size)
                        progress.Report(ProgressAt(name, ndx, done, file.Size));
                };
            }
            long length = intoBuffer
                ? PatchFromBasis(basisHandle, sent, tokens, patchSum, ct)
                : appendFrom + DeltaPatcher.Apply(appendFrom > 0 ? null : basis, appendFrom > 0 ? default : sent, tokens, _writer, patchSum, cancellationToken: ct);
            _writer.Finish();
            run.Stats.LiteralData += tokens.Literal;
            run.Stats.MatchedData += tokens.Matched;

            FileChecksum fileSum = _fileSum!;
            Span<byte> expected = stackalloc byte[fileSum.DigestLength];
            ReadExactly(expected, ct);
            // receiver.c: log_item right after receive_data, whatever the check says. The receiving process writes no
            // data of its own (the generator's requests are another process's in stock): its %c is 0.
            if (_logsAfterTransfer)
            {
                LogTransfer(ndx, file, pending.Flags, firstPass, new TransferFigures(0, run.Connection.In.Consumed - read0,
                    TransferFigures.Hex(run.Checksum, expected), 2 * expected.Length));
            }
            Span<byte> actual = stackalloc byte[fileSum.DigestLength];
            fileSum.GetDigestAndReset(actual);
            run.Stats.TotalTransferredSize += length;
            if (!actual.SequenceEqual(expected))
            {
                // receiver.c: an update written in place stays, with the attributes but not the time (finish_transfer
                // with ok_to_set_time off).
                string kept = inPlace ? "retained" : "discarded";
                if (inPlaceFile is not null)
                    ConfinedDirectory.ApplyToDescriptor((int)inPlaceFile.DangerousGetHandle(), AttributesFor(file, existing) with { MtimeSeconds = null }, name, run.Options.FakeSuper);
                if (firstPass)
                {
                    // rsync receiver.c: the first failure asks the generator to redo the file with full sums (MSG_REDO).
                    // receiver.c: in a batch run "(may try again)": the redo phase takes it only if the batch has it.
                    run.Log.Error($"WARNING: {FileNameEncoding.Display(name)} failed verification -- update {kept} ({(run.Batch is null ? "will" : "may")} try again).");
                    run.Batch?.RedoLater(ndx);
                    run.ToGenerator.Redo(ndx);
                    return Received.Redo;
                }
                run.ReportFailure($"ERROR: {FileNameEncoding.Display(name)} failed verification -- update {kept}.");
                return Received.Done;
            }

            EntryAttributes attributes = AttributesFor(file, existing);
            // rsync.c: finish_transfer — set_file_attrs sets the xattrs on the new file, the long values not sent
            // taken from the basis (fnamecmp) where they match.
            if (run.Xattrs is not null)
            {
                ConfinedDirectory basisDir = pending.BasisDirectory ?? dest;
                string basisName = pending.BasisName ?? name;
                run.ApplyXattrs((int)output.DangerousGetHandle(), file, name,
                    inPlaceFile is not null ? null : valueName => BasisXattr(basisDir, basisName, valueName));
            }
            if (inPlaceFile is not null)
            {
                // rsync.c: finish_transfer — in place there is nothing to rename, only the attributes to set.
                ConfinedDirectory.ApplyToDescriptor((int)inPlaceFile.DangerousGetHandle(), attributes, name, run.Options.FakeSuper);
                InPlace(ndx);
            }
            else if (run.Options.DelayUpdates)
            {
                // receiver.c: --delay-updates finishes the file into the partial directory; it takes its name at the
                // end of the run (HandleDelayedUpdates).
                temp!.SetAttributes(attributes);
                CommitToPartialDir(temp, name);
                keep = true;
                _delayed.Add(ndx);
            }
            else if (FinishesLater(pending, existing))
            {
                // The rest is the finishing thread's (ReceiverRole.Finishing.cs); the temporary file is its now.
                CountTransferred(existing);
                keep = true;
                handedOver = true;
                FinishLater(new Finishing(ndx, name, temp!, attributes, settles, OldFileToClose(intoBuffer ? basisHandle : null, pending, sent)));
                return Received.Finishing;
            }
            else
            {
                temp!.SetAttributes(attributes);
                // rsync.c finish_transfer: make_backup of the old file before the new one takes its name.
                if (Backups.Wanted(run.Options, existing))
                    run.Backups.Keep(name, ndx);
                if (!Rename(temp, name))
                {
                    CountTransferred(existing);
                    return Received.Done;
                }
                keep = true;
                // receiver.c: a --partial-dir copy that was the basis is used up.
                if (pending is { BasisName: { } used, UsesUpBasis: true })
                    RemovePartial(pending.BasisDirectory ?? dest, used, name);
                InPlace(ndx);
            }
            CountTransferred(existing);
            run.Target.Progress?.Report(ProgressAt(name, ndx, length, length));
            return Received.Done;
        }
        catch when (run.Target.KeepPartial && !keep && temp is not null)
        {
            // --partial: what arrived replaces the old file rather than being thrown away (rsync cleanup.c).
            try
            {
                _writer!.Finish();
            }
            catch (IOException)
            {
                // Keep what reached the file; the original failure is the one to report.
            }
            // With --partial-dir it goes there instead, for the next run's basis (handle_partial_dir PDIR_CREATE).
            if (run.Options.PartialDir is not null)
                CommitToPartialDir(temp, name);
            else
                temp.Commit();
            keep = true;
            throw;
        }
        finally
        {
            _writer!.Written = null;
            _writer.Sum = null;
            if (!handedOver)
                temp?.Dispose();
            run.Order?.TransferDone(ndx);
        }
    }

    // receiver.c: stats.xferred_files (and created_files for a new one) count a file whose data came, whatever its
    // finishing does.
    private void CountTransferred(EntryStatus? existing)
    {
        run.Stats.TransferredFiles++;
        if (existing is null)
            run.Stats.CreatedFiles++;
    }

    // A long xattr value of the basis, read through a descriptor held on it (null: no basis, or no such value).
    private static byte[]? BasisXattr(ConfinedDirectory directory, string name, byte[] valueName)
    {
        byte[]? value = null;
        directory.WithHeld(name, fd => value = XattrIo.Get(XattrTarget.Descriptor(fd), valueName, out byte[] v) == 0 ? v : null);
        return value;
    }

    private EntryAttributes AttributesFor(FileEntry file, EntryStatus? existing)
    {
        EntryAttributes attributes = run.AttributesFor(file, isNew: existing is null, existing);
        return !run.Options.Perms && existing is { } old && attributes.Permissions is null ? attributes with { Permissions = old.Permissions } : attributes;
    }

    // receiver.c: recv_files — a file in place is its hard-link group's leader done, and confirmed to the sender
    // (send_msg_success) for --remove-source-files.
    private void InPlace(int ndx)
    {
        if (run.HardLinkGroup(ndx) is not null)
            run.ToGenerator.HardLinkDone(ndx);
        if (run.Options.RemovesFromSender)
            run.ToGenerator.Received(ndx);
    }

    // rsync receiver.c: receive_data with --append — the header's blocks cover the receiver's copy (sum.flength).
    private static long AppendedLength(SumHeader head) =>
        head.Count == 0 ? 0 : (long)(head.Count - 1) * head.BlockLength + head.LengthOf(head.Count - 1);

    private static void SumKeptStart(FileStream? basis, long length, FileChecksum sum)
    {
        if (basis is null)
            throw new IOException("the file to append to is gone");
        byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            basis.Position = 0;
            for (long at = 0; at < length;)
            {
                int n = basis.Read(buffer, 0, (int)Math.Min(buffer.Length, length - at));
                if (n <= 0)
                    throw new IOException("the file to append to shrank");
                sum.Append(buffer.AsSpan(0, n));
                at += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void ReadExactly(Span<byte> destination, CancellationToken ct)
    {
        while (!destination.IsEmpty)
        {
            if (run.Connection.In.Buffered.IsEmpty)
                Wait(run.Connection.In.EnsureAsync(1, ct));
            int n = Math.Min(destination.Length, run.Connection.In.Buffered.Length);
            run.Connection.In.Buffered[..n].CopyTo(destination);
            run.Connection.In.Advance(n);
            destination = destination[n..];
        }
    }

    // Blocking waits are for the receiver's own thread only (see the note at the top).
    private static T Wait<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
            task.AsTask().GetAwaiter().GetResult();
    }

    // receiver.c: open_tmpfile — a temporary file that cannot be made is "mkstemp NAME failed" (FERROR_XFER), NAME the
    // temporary file's as full_fname says it (".NAME.XXXXXX" beside the file).
    private bool TryCreateTempFile(ConfinedDirectory dest, string name, out ConfinedTempFile? temp)
    {
        try
        {
            temp = dest.CreateTempFile(name, run.TempDirectory);
            return true;
        }
        catch (RsyncException e) when (e.Kind == RsyncErrorKind.EntryFailed && e.Errno is int errno && e.CallPath is { } tempName)
        {
            run.ReportFailure($"rsync: [receiver] mkstemp {run.QuotedFullName(tempName)} failed: {SystemError.Describe(errno)}");
            temp = null;
            return false;
        }
    }

    // receiver.c: discard_receive_data after the sum header was read: the tokens and the whole-file sum, dropped.
    private void DiscardTokens(SumHeader head, FileEntry file, CancellationToken ct)
    {
        _decoder!.BeginFile(head.Count, file.Size + GrowthAllowance);
        while (_decoder.Read(out _, out _) != DeltaTokenKind.End)
        {
        }
        Span<byte> sum = stackalloc byte[_fileSum!.DigestLength];
        ReadExactly(sum, ct);
    }

}
