using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiver;

// The receiver (rsync receiver.c: recv_files, receive_data): takes each file the sender answers with, rebuilds it from
// the basis and the token stream into a temporary file, checks the whole-file sum and renames it into place.
// It runs synchronously on a thread of its own (see RunPhasesAsync): most reads are served from the multiplex
// reader's buffer without waiting, and the few that must wait block this thread only, never the thread pool that
// runs the socket pump. Hopping threads per file cost more than the file itself for small files.
internal sealed partial class ReceiverRole
{
    /// <summary>How far a file may outgrow its file-list size before we stop writing (see <see cref="BoundedDeltaSource"/>).</summary>
    private const long GrowthAllowance = 16 << 20;

    /// <summary>Read-ahead for a basis file: consecutive matched blocks are read in one system call.</summary>
    private const int BasisBufferSize = 1 << 20;

    private TokenDecoder? _decoder;
    private FileChecksum? _fileSum;
    private TempFileWriter? _writer;

    /// <summary>Reads the sender's answers until its next end-of-phase index.</summary>
    private void ReceivePhase(List<int>? redo, CancellationToken ct)
    {
        _decoder ??= TokenCodecFactory.CreateDecoder(Codec, Protocol, new MultiplexDataStream(_in, ct));
        _fileSum ??= FileChecksum.CreateTransferSum(_checksum, _session.ChecksumSeed);
        _writer ??= new TempFileWriter();
        while (true)
        {
            int ndx = ReadNdxSkippingDeleteStats(ct);
            if (ndx == Ndx.Done)
                return;
            if (ndx < 0 || ndx >= _files.Count)
                throw RsyncException.Protocol($"Invalid file index: {ndx} (-1 - {_files.Count - 1})");
            var iflags = Protocol >= 29
                ? (ItemFlags)Wait(_in.ReadUInt16Async(ct))
                : ItemFlags.Transfer | ItemFlags.MissingData;
            if ((iflags & ItemFlags.BasisTypeFollows) != 0)
            {
                byte type = Wait(_in.ReadByteAsync(ct));
                // FNAMECMP_FNAME: the file itself, the only basis we ever offer.
                if (type != 0x80)
                    throw RsyncException.Protocol($"basis type 0x{type:x2} for \"{_names[ndx]}\", which we never offered");
            }
            if ((iflags & ItemFlags.XnameFollows) != 0)
                throw RsyncException.Protocol($"alternate basis name for \"{_names[ndx]}\", which we never offered");
            // The sender answers in the order it was asked: everything up to this index has gone out.
            _order?.Release(ndx + 1);
            if ((iflags & ItemFlags.Transfer) == 0)
                continue; // an itemized non-transfer echoed back for logging (rsync log.c: maybe_log_item)
            if (_options.DryRun)
                ReceiveDryRun(ndx);
            else
                ReceiveFile(ndx, redo, ct);
        }
    }

    // rsync receiver.c: recv_files with do_xfers off — the echoed index is the whole answer: counted, logged, no data.
    private void ReceiveDryRun(int ndx)
    {
        FileEntry file = _files[ndx];
        if (!_pending.TryRemove(ndx, out PendingFile pending) || !file.IsRegular)
            throw RsyncException.Protocol($"the daemon sent \"{NameOf(ndx)}\", which we did not ask for");
        _stats.TransferredFiles++;
        _stats.TotalTransferredSize += file.Size;
        if ((pending.Flags & ItemFlags.IsNew) != 0)
            _stats.CreatedFiles++;
        LogItem(ndx, file, pending.Flags);
        _order?.TransferDone(ndx);
    }

    private void ReceiveFile(int ndx, List<int>? redo, CancellationToken ct)
    {
        string name = NameOf(ndx);
        FileEntry file = _files[ndx];
        if (!_pending.TryRemove(ndx, out PendingFile pending) || !file.IsRegular)
            throw RsyncException.Protocol($"the daemon sent \"{name}\", which we did not ask for");
        SumHeader sent = pending.Header;
        // rsync log.c: with a format that has no %b/%c the line is printed before the data (log_before_transfer),
        // so --progress lines follow their name; a redo is not announced again.
        if (redo is not null)
        {
            LogItem(ndx, file, pending.Flags);
            _order?.Announce(ndx);
        }
        // progress.c: the first line comes with the first token (show_progress); an empty file has only its last.
        if (file.Size > 0)
            _target.Progress?.Report(new TransferProgress(name, 0, file.Size, ndx, _files.Count));

        // rsync io.c: read_sum_head — the sender echoes the header we sent; anything else is not a delta against our basis.
        Span<byte> headBytes = stackalloc byte[SumHeader.WireSize(Protocol)];
        ReadExactly(headBytes, ct);
        SumHeader echoed = SumHeader.Read(headBytes, Protocol, ChecksumNames.DigestLength(_checksum));
        if (echoed != sent)
            throw RsyncException.Protocol($"sum header for \"{name}\" does not match the one we sent");

        ConfinedDirectory dest = _dest!;
        EntryStatus? existing = pending.Local;
        using SafeFileHandle? basisHandle = sent.Count > 0 ? dest.OpenBasis(name) : null;
        if (sent.Count > 0 && basisHandle is null)
            throw ConfinedDirectory.IoError("open basis", name, 2);
        using FileStream? basis = basisHandle is null ? null
            : new FileStream(basisHandle, FileAccess.Read, (int)Math.Min(BasisBufferSize, Math.Max(4096, (long)sent.Count * sent.BlockLength)));
        ConfinedTempFile temp = dest.CreateTempFile(name, _tempDir);
        bool keep = false;
        try
        {
            var tokens = new BoundedDeltaSource(_decoder!, file.Size + GrowthAllowance, name);
            _decoder!.BeginFile(sent.Count, file.Size + GrowthAllowance);
            _writer!.Start(temp.Handle);
            if (_target.Progress is { } progress)
            {
                // progress.c: show_progress as the data comes (the printer shows at most one line a second); the
                // last line is the one after the whole-file check.
                _writer.Written = done =>
                {
                    if (done < file.Size)
                        progress.Report(new TransferProgress(name, done, file.Size, ndx, _files.Count));
                };
            }
            long length = DeltaPatcher.Apply(basis, sent, tokens, _writer, _fileSum, cancellationToken: ct);
            _writer.Finish();
            _stats.LiteralData += tokens.Literal;
            _stats.MatchedData += tokens.Matched;

            FileChecksum fileSum = _fileSum!;
            Span<byte> expected = stackalloc byte[fileSum.DigestLength];
            ReadExactly(expected, ct);
            Span<byte> actual = stackalloc byte[fileSum.DigestLength];
            fileSum.GetDigestAndReset(actual);
            _stats.TotalTransferredSize += length;
            if (!actual.SequenceEqual(expected))
            {
                if (redo is not null)
                {
                    // rsync receiver.c: the first failure asks the generator to redo the file with full sums.
                    _log.Error($"WARNING: {FileNameEncoding.Display(name)} failed verification -- update discarded (will try again).");
                    redo.Add(ndx);
                    return;
                }
                ReportFailure($"ERROR: {FileNameEncoding.Display(name)} failed verification -- update discarded.");
                return;
            }

            EntryAttributes attributes = AttributesFor(file, isNew: existing is null);
            if (!_options.Perms && existing is { } old)
                attributes = attributes with { Permissions = old.Permissions };
            temp.SetAttributes(attributes);
            temp.Commit();
            keep = true;
            _stats.TransferredFiles++;
            if (existing is null)
                _stats.CreatedFiles++;
            _target.Progress?.Report(new TransferProgress(name, length, length, ndx, _files.Count));
        }
        catch when (_target.KeepPartial && !keep)
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
            temp.Commit();
            keep = true;
            throw;
        }
        finally
        {
            _writer!.Written = null;
            temp.Dispose();
            _order?.TransferDone(ndx);
        }
    }

    private void ReadExactly(Span<byte> destination, CancellationToken ct)
    {
        while (!destination.IsEmpty)
        {
            if (_in.Buffered.IsEmpty)
                Wait(_in.EnsureAsync(1, ct));
            int n = Math.Min(destination.Length, _in.Buffered.Length);
            _in.Buffered[..n].CopyTo(destination);
            _in.Advance(n);
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
}
