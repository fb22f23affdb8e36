using System.Buffers;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Transfer.Receive;

// The receiver (rsync receiver.c: recv_files, receive_data): takes each file the sender answers with, rebuilds it from
// the basis and the token stream into a temporary file, checks the whole-file sum and renames it into place.
internal sealed partial class PullSession
{
    /// <summary>
    /// How far a file may outgrow its file-list size before we stop writing: the sender sends what it reads, so a file
    /// growing on the server legitimately exceeds its listed size, but a stream that repeats block matches forever
    /// must not fill our disk.
    /// </summary>
    private const long GrowthAllowance = 16 << 20;

    private const int WriteBufferSize = 256 * 1024;

    private TokenDecoder? _decoder;
    private FileChecksum? _fileSum;

    /// <summary>Reads the sender's answers until its next end-of-phase index.</summary>
    private async Task ReceivePhaseAsync(List<int>? redo, CancellationToken ct)
    {
        _decoder ??= TokenCodecFactory.CreateDecoder(Codec, Protocol, new MultiplexDataStream(_in, ct));
        _fileSum ??= FileChecksum.CreateTransferSum(_checksum, _session.ChecksumSeed);
        while (true)
        {
            int ndx = await ReadNdxSkippingDeleteStatsAsync(ct).ConfigureAwait(false);
            if (ndx == Ndx.Done)
                return;
            if (ndx < 0 || ndx >= _files.Count)
                throw RsyncException.Protocol($"Invalid file index: {ndx} (-1 - {_files.Count - 1})");
            var iflags = Protocol >= 29
                ? (ItemFlags)await _in.ReadUInt16Async(ct).ConfigureAwait(false)
                : ItemFlags.Transfer | ItemFlags.MissingData;
            if ((iflags & ItemFlags.BasisTypeFollows) != 0)
            {
                byte type = await _in.ReadByteAsync(ct).ConfigureAwait(false);
                // FNAMECMP_FNAME: the file itself, the only basis we ever offer.
                if (type != 0x80)
                    throw RsyncException.Protocol($"basis type 0x{type:x2} for \"{_names[ndx]}\", which we never offered");
            }
            if ((iflags & ItemFlags.XnameFollows) != 0)
                throw RsyncException.Protocol($"alternate basis name for \"{_names[ndx]}\", which we never offered");
            if ((iflags & ItemFlags.Transfer) == 0)
                continue; // an itemized non-transfer echoed back for logging (rsync log.c: maybe_log_item)
            await ReceiveFileAsync(ndx, redo, ct).ConfigureAwait(false);
        }
    }

    private async Task ReceiveFileAsync(int ndx, List<int>? redo, CancellationToken ct)
    {
        string name = NameOf(ndx);
        FileEntry file = _files[ndx];
        if (!_pending.TryRemove(ndx, out SumHeader sent) || !file.IsRegular)
            throw RsyncException.Protocol($"the daemon sent \"{name}\", which we did not ask for");

        // rsync io.c: read_sum_head — the sender echoes the header we sent; anything else is not a delta against our basis.
        var headBytes = new byte[SumHeader.WireSize(Protocol)];
        await _in.ReadExactlyAsync(headBytes, ct).ConfigureAwait(false);
        SumHeader echoed = SumHeader.Read(headBytes, Protocol, ChecksumNames.DigestLength(_checksum));
        if (echoed != sent)
            throw RsyncException.Protocol($"sum header for \"{name}\" does not match the one we sent");

        ConfinedDirectory dest = _dest!;
        EntryStatus? existing = dest.Stat(name);
        using SafeFileHandle? basis = sent.Count > 0 ? dest.OpenBasis(name) : null;
        if (sent.Count > 0 && basis is null)
            throw ConfinedDirectory.IoError("open basis", name, 2);
        ConfinedTempFile temp = dest.CreateTempFile(name, _tempDir);
        bool keep = false;
        try
        {
            long limit = file.Size + GrowthAllowance;
            _decoder!.BeginFile(sent.Count, limit);
            long length = await Task.Run(() => Rebuild(temp.Handle, basis, sent, limit, name), ct).ConfigureAwait(false);

            int digestLength = _fileSum!.DigestLength;
            var expected = new byte[digestLength];
            await _in.ReadExactlyAsync(expected, ct).ConfigureAwait(false);
            var actual = new byte[digestLength];
            _fileSum.GetDigestAndReset(actual);
            _stats.TotalTransferredSize += length;
            if (!actual.AsSpan().SequenceEqual(expected))
            {
                if (redo is not null)
                {
                    // rsync receiver.c: the first failure asks the generator to redo the file with full sums.
                    _log.Error($"WARNING: {name} failed verification -- update discarded (will try again).");
                    redo.Add(ndx);
                    return;
                }
                ReportFailure($"ERROR: {name} failed verification -- update discarded.");
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
            LogName(file, name);
        }
        catch when (_request.KeepPartial && !keep)
        {
            // --partial: what arrived replaces the old file rather than being thrown away (rsync cleanup.c).
            temp.Commit();
            keep = true;
            throw;
        }
        finally
        {
            temp.Dispose();
        }
    }

    /// <summary>
    /// Applies the token stream to the basis (rsync receiver.c: receive_data): literal data as it comes, a matched
    /// block copied from the basis at its index. Runs on a pool thread because the decoder reads synchronously.
    /// </summary>
    private long Rebuild(SafeFileHandle output, SafeFileHandle? basis, SumHeader sent, long limit, string name)
    {
        TokenDecoder decoder = _decoder!;
        FileChecksum sum = _fileSum!;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(WriteBufferSize);
        byte[] block = sent.Count > 0 ? ArrayPool<byte>.Shared.Rent(sent.BlockLength) : [];
        int buffered = 0;
        long written = 0;
        try
        {
            while (true)
            {
                DeltaTokenKind kind = decoder.Read(out ReadOnlySpan<byte> literal, out int blockIndex);
                if (kind == DeltaTokenKind.End)
                    break;
                ReadOnlySpan<byte> data;
                if (kind == DeltaTokenKind.Literal)
                {
                    data = literal;
                    _stats.LiteralData += data.Length;
                }
                else
                {
                    if ((uint)blockIndex >= (uint)sent.Count)
                        throw RsyncException.Protocol($"block {blockIndex} of \"{name}\" is beyond the {sent.Count} we sent");
                    int length = sent.LengthOf(blockIndex);
                    int read = RandomAccess.Read(basis!, block.AsSpan(0, length), (long)blockIndex * sent.BlockLength);
                    if (read != length)
                        throw ConfinedDirectory.IoError("read basis", name, 5);
                    data = block.AsSpan(0, length);
                    decoder.SeeMatch(data);
                    _stats.MatchedData += length;
                }
                if (written + buffered + data.Length > limit)
                    throw RsyncException.Protocol($"\"{name}\" grows past {limit} bytes, far beyond its listed size");
                sum.Append(data);
                while (!data.IsEmpty)
                {
                    int n = Math.Min(data.Length, buffer.Length - buffered);
                    data[..n].CopyTo(buffer.AsSpan(buffered));
                    buffered += n;
                    data = data[n..];
                    if (buffered == buffer.Length)
                    {
                        RandomAccess.Write(output, buffer.AsSpan(0, buffered), written);
                        written += buffered;
                        buffered = 0;
                    }
                }
            }
            RandomAccess.Write(output, buffer.AsSpan(0, buffered), written);
            return written + buffered;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (block.Length > 0)
                ArrayPool<byte>.Shared.Return(block);
        }
    }
}
