using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Sender;

// The sender loop (rsync sender.c: send_files) and the end of the run (main.c: read_final_goodbye).
internal sealed partial class SenderRole
{
    /// <summary>rsync options.c: DEFAULT_MAX_ALLOC, the limit of every allocation of stock's unless --max-alloc says otherwise.</summary>
    private const long DefaultMaxAlloc = 1L << 30;

    /// <summary>rsync rsync.h: sizeof (struct sum_buf) on a 64-bit build (offset, len, sum1, chain, flags).</summary>
    private const int SumBufSize = 24;

    /// <summary>rsync token.c: CHUNK_SIZE, the literal piece size of a file sent whole.</summary>
    private const int ChunkSize = 32 * 1024;

    /// <summary>Files at least this large are opened with read-ahead advice (posix_fadvise SEQUENTIAL).</summary>
    private const long SequentialScanThreshold = 1 << 20;

    private string? _workingDirectory;

    private async Task SendFilesAsync(CancellationToken ct)
    {
        int phase = 0;
        int maxPhase = _conn.Protocol >= 29 ? 2 : 1;
        int savedIoError = _ioError;
        TokenCodec codec = TokenCodecNames.TryParse(_conn.Parameters.Compression, out TokenCodec c) ? c : TokenCodec.None;
        using TokenEncoder encoder = TokenCodecFactory.CreateEncoder(codec, _conn.Protocol, _options.CompressLevel, _conn.Out, _options.CompressStored);
        ChecksumVariant xfer = XferChecksumVariant;
        using FileChecksum fileSum = FileChecksum.CreateTransferSum(xfer, _conn.Parameters.ChecksumSeed);
        int digestLength = ChecksumNames.DigestLength(xfer);
        BlockChecksum blockSum = BlockChecksum.Create(xfer, _conn.Parameters.ChecksumSeed, _conn.Parameters.ChecksumSeedFix);
        // One finder for the session: its table and window serve file after file (a re-push of many small changed
        // files allocated several hundred KiB per file, and collected them, with a finder each).
        var finder = new MatchFinder(blockSum);
        var counting = new CountingSink(encoder);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        // TransferOptions.LogsAfterTransfer works the formats out again at each call (the --info levels included).
        bool logsAfterTransfer = _options.LogsAfterTransfer;
        byte[] digest = new byte[ChecksumNames.MaxDigestLength];
        try
        {
            while (true)
            {
                if (_lists is not null)
                    SendMoreLists(MinLookahead);
                _listWhileIdle = _lists is not null;
                (int ndx, ItemChanges iflags, byte basisType, byte[]? xname) =
                    await NdxAndAttrs.ReadAsync(_conn, _files, _stats, alternatesOffered: true, ct, echoDeleteStats: _conn.IsServer).ConfigureAwait(false);
                _listWhileIdle = false;
                if (ndx == Ndx.Done)
                {
                    // sender.c: send_files — every NDX_DONE a client's sender reads while a list is current ends the
                    // whole-transfer progress line again (end_progress(0) under --info=progress2).
                    if (_progress is not null && (_lists is null ? _files.Count - 1 : _lists.CurrentLastPlace) is int last)
                        _progress.Report(ProgressTotals(new TransferProgress("", 0, 0, last, 0)) with { EndOfList = true });
                    // sender.c: send_files — with incremental recursion an NDX_DONE first frees the oldest list and is
                    // echoed; only the one for the last list (and those after) count as the end of a phase.
                    if (_lists is { AnyLive: true } && _lists.DropOldest())
                    {
                        _conn.NdxOut.Write(_conn.Out, Ndx.Done);
                        continue;
                    }
                    if (++phase > maxPhase)
                        break;
                    // Sent with what follows, at the next wait for the peer (sender.c: send_files does not flush here).
                    _conn.NdxOut.Write(_conn.Out, Ndx.Done);
                    continue;
                }

                if (_lists is not null)
                    SendMoreLists(MinLookahead);
                FileEntry file = _lists?.Resolve(ndx) ?? _files[ndx];
                await ReadXattrRequestAsync(file, iflags, ct).ConfigureAwait(false);
                if ((iflags & ItemChanges.Transfer) == 0)
                {
                    LogItem(file, iflags, transferred: false, xname);
                    NdxAndAttrs.Write(_conn, ndx, iflags, basisType, xname);
                    WriteXattrValues(file, iflags);
                    CountCreated(file, iflags);
                    continue;
                }
                if (phase == 2)
                    throw RsyncException.Protocol($"got transfer request in phase 2 for index {ndx}");
                // rsync rsync.c: read_ndx_and_attrs — only a regular file can be asked for.
                if (!file.IsRegular)
                    throw RsyncException.Protocol($"received request to transfer non-regular file: {ndx}");
                if ((iflags & ItemChanges.IsNew) != 0 && !file.Sent)
                    _stats.CreatedFiles++;
                _stats.TransferredFiles++;
                _stats.TotalTransferredSize += file.Size;

                if (!_options.Transfers)
                {
                    LogItem(file, iflags, transferred: true, figures: TransferFigures.DryRun(xfer));
                    NdxAndAttrs.Write(_conn, ndx, iflags, basisType, xname);
                    continue;
                }

                // sender.c: a redo (FLAG_FILE_SENT) turns --append off, for a whole in-place transfer with block sums;
                // before protocol 30 --append is --append-verify (compat.c: setup_protocol).
                bool append = _options.Append && !file.Sent;
                // log.c: remember_initial_stats — %b and %c count from here (the request's index already read).
                (long read0, long written0) = (_conn.In.Consumed, _conn.Out.DataWritten);
                Signature signature = await ReceiveSumsAsync(xfer, digestLength, withSums: !append, ct).ConfigureAwait(false);
                SumHeader head = signature.Header;
                SafeFileHandle? handle = OpenSource(file, ndx);
                if (handle is null)
                    continue;
                using (handle)
                {
                    // sender.c: --append never sends a file that shrank since the list was made.
                    if (append && RandomAccess.GetLength(handle) < file.Size)
                    {
                        _log.Error($"skipped diminished file: \"{file.LocalPath}\"");
                        if (_conn.Protocol >= 30)
                            _conn.Out.WriteMessageInt(MessageCode.NoSend, ndx);
                        continue;
                    }
                    // sender.c: updating_basis_file — the receiver writes over its basis, so no block may come from
                    // where it has already written (match.c: hash_search).
                    bool updatingBasis = _options.Inplace
                        && (_conn.Protocol >= 29 ? basisType == NdxAndAttrs.BasisIsFile : !_options.Backup || file.Sent);
                    var how = new SendMode(append ? AppendedLength(head) : -1, append && (_options.AppendVerify || _conn.Protocol < 30), updatingBasis);
                    NdxAndAttrs.Write(_conn, ndx, iflags, basisType, xname);
                    WriteXattrValues(file, iflags);
                    // sender.c: f_xfer — with --only-write-batch the data goes to the batch file only.
                    if (_options.OnlyWriteBatch)
                        _conn.Out.DivertToTee(true);
                    int headLength = head.Write(_conn.Out.GetSpan(16), _conn.Protocol);
                    _conn.Out.Advance(headLength);
                    // rsync sender.c: the client names the file before its data (log_before_transfer), so that
                    // --progress lines follow their name; a format with %b, %c or %C waits for the end of it.
                    if (!logsAfterTransfer)
                        LogItem(file, iflags, transferred: true);
                    try
                    {
                        SendFileData(handle, SizeAtOpen(handle), file, ndx, signature, how, finder, counting, fileSum, buffer, digest, codec == TokenCodec.None);
                    }
                    catch (IOException ex)
                    {
                        // rsync sender.c: a read error mid-file still completes the token stream (the receiver's
                        // whole-file check then fails and it redoes or reports the file).
                        _ioError |= FileListBuilder.IoErrorGeneral;
                        _log.Error($"rsync: [sender] read errors mapping \"{FileNameEncoding.Display(file.LocalPath!)}\": {SystemError.Describe(ex)}");
                    }
                    finally
                    {
                        if (_options.OnlyWriteBatch)
                            _conn.Out.DivertToTee(false);
                    }
                    if (logsAfterTransfer)
                    {
                        LogItem(file, iflags, transferred: true, figures: new TransferFigures(_conn.Out.DataWritten - written0,
                            _conn.In.Consumed - read0, TransferFigures.Hex(xfer, digest.AsSpan(0, digestLength)), 2 * digestLength));
                    }
                }
                file.Sent = true;
            }

            if (_ioError != savedIoError && _conn.Protocol >= 30)
                _conn.Out.WriteMessageInt(MessageCode.IoError, _ioError);
            // main.c: handle_stats after send_files — stock's block follows the last NDX_DONE. A client's goes just
            // ahead of it here, so that it is printed before whatever the other side prints once that index arrives
            // (stock's order: the sender's block, then the receiver's and the generator's); a server's after it, as
            // stock's, ahead of its totals (which a client receiver reads before printing its own).
            if (!_conn.IsServer)
                HeapStatistics.Report(_log, _options, isServer: false, "sender", threadAllocated: null);
            _conn.NdxOut.Write(_conn.Out, Ndx.Done);
            _conn.Out.Send();
            if (_conn.IsServer)
            {
                HeapStatistics.Report(_log, _options, isServer: true, "sender", threadAllocated: null);
                _conn.Send();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _stats.LiteralData = counting.Literal;
        _stats.MatchedData = counting.Matched;
    }

    // rsync io.c: read_sum_head + sender.c: receive_sums: per block an int32 rolling sum and s2length bytes of strong
    // sum. The signature grows with what actually arrives, so a header that lies about the count costs the liar the
    // bytes, not us the memory.
    // With --append only the header comes: it says how much the receiver already has (sender.c: receive_sums).
    private async Task<Signature> ReceiveSumsAsync(ChecksumVariant variant, int digestLength, bool withSums, CancellationToken ct)
    {
        byte[] raw = new byte[20];
        int headSize = SumHeader.WireSize(_conn.Protocol);
        await _conn.In.ReadExactlyAsync(raw.AsMemory(0, headSize), ct).ConfigureAwait(false);
        SumHeader head = SumHeader.Read(raw.AsSpan(0, headSize), _conn.Protocol, digestLength);
        var signature = new Signature(head, variant, _conn.Parameters.ChecksumSeed);
        if (!withSums)
            return signature;
        CheckSumCount(head.Count, head.StrongLength);
        byte[] block = new byte[4 + head.StrongLength];
        for (int i = 0; i < head.Count; i++)
        {
            await _conn.In.ReadExactlyAsync(block, ct).ConfigureAwait(false);
            signature.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(block), block.AsSpan(4));
        }
        return signature;
    }

    // sender.c: receive_sums — stock allocates count sum_bufs of 24 bytes, then count * xfer_sum_len bytes of strong
    // sums (at most 20 bytes a block: that one never binds first), each through util2.c: my_alloc, which fails at
    // num >= max_alloc / size: at the default 1 GiB, 44,739,242 blocks or more (-B 8 on a file over ~341 MiB). That is
    // the installed 3.5.0's message, its line number (sender.c line 364, not the tag's 363) and exit 22 (RERR_MALLOC).
    // With --max-alloc=0 stock has no limit: ours holds a block's weak sum and strong prefix in two arrays, so it takes
    // what .NET's arrays hold (Array.MaxLength elements each) and fails above that as stock's failing malloc does
    // (util2.c: _out_of_memory, exit 22). Above the check no allocation is sized by the count (Signature.Add grows as the
    // sums arrive). With --append no sums come and stock allocates none (protocol-notes 85).
    private void CheckSumCount(int count, int strongLength)
    {
        if (!_options.MaxAllocUnlimited && count >= DefaultMaxAlloc / SumBufSize)
            throw new RsyncException(RsyncErrorKind.AllocationLimit,
                $"[sender] exceeded --max-alloc={DefaultMaxAlloc} setting (file=sender.c, line=364)");
        if (count > Array.MaxLength / Math.Max(1, strongLength))
            throw new RsyncException(RsyncErrorKind.AllocationLimit,
                "[sender] out of memory: my_alloc caller (file=sender.c, line=364)");
    }

    private SafeFileHandle? OpenSource(FileEntry file, int ndx)
    {
        string path = AbsolutePath(file.LocalPath!);
        if (_source.Confinement?.Relative(path) is { } beneath)
            return OpenBeneath(_source.Confinement, beneath, file.LocalName, ndx);
        return OpenDirect(file, path, ndx);
    }

    // sender.c: send_files — do_open(fname, O_RDONLY, 0) by the name's own bytes; a failure is reported with the
    // errno's words as stock's rsyserr does (an exception's message would be .NET's, untranslated under NativeAOT).
    // syscall.c: do_open with open_noatime — O_NOATIME, no fallback: an EPERM (not the owner, no CAP_FOWNER) is a
    // failed open like any other ("send_files failed to open NAME: Operation not permitted (1)").
    // The name in a failure is util1.c: full_fname's: the sender's working directory (cleaned, change_dir) and the name.
    private SafeFileHandle? OpenDirect(FileEntry file, string path, int ndx)
    {
        int flags = Interop.O_RDONLY | Interop.O_CLOEXEC | (_options.OpenNoAtime ? Interop.O_NOATIME : 0);
        int fd = Interop.OpenAt(Interop.AT_FDCWD, path, flags, 0);
        if (fd >= 0)
        {
            // rsync takes no locks and gives no advice; large files get the kernel's sequential read-ahead.
            if (file.Size >= SequentialScanThreshold)
                Interop.FadviseSequential(fd);
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        return OpenFailed(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), $"\"{FileNameEncoding.Display(Path.GetFullPath(path))}\"", ndx);
    }

    // sender.c: send_files in a daemon module — opened beneath the module root, the last component without following
    // a symlink unless the transfer follows links (then an in-module link is followed, one leading out is ELOOP):
    // a file swapped for a symlink since it was listed is not read through it.
    private SafeFileHandle? OpenBeneath(BeneathRoot root, string relative, string listed, int ndx)
    {
        bool follow = _options.CopyLinks || _options.CopyUnsafeLinks || _options.CopyDirLinks;
        int fd = root.Open(relative, Interop.O_RDONLY | (follow ? 0 : Interop.O_NOFOLLOW) | (_options.OpenNoAtime ? Interop.O_NOATIME : 0), out int errno);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : OpenFailed(errno, root.Quote(relative, BeneathRoot.WorkingDirectoryOf(relative, listed)), ndx);
    }

    // sender.c: send_files when the open fails: a file gone since the list was built is a vanished file (exit 24), not
    // an error; either way the receiver hears that nothing comes for the index (MSG_NO_SEND, protocol 30 on). A server
    // tells the client as stock does: "file has vanished" a warning (an error from a daemon below protocol 28), the
    // failed open FERROR_XFER, which below protocol 30 is all that tells the client the run was partial.
    private SafeFileHandle? OpenFailed(int errno, string quotedName, int ndx)
    {
        ServerMessageLog? server = _conn.ServerLog;
        if (errno == Interop.ENOENT)
        {
            _ioError |= FileListBuilder.IoErrorVanished;
            string line = $"file has vanished: {quotedName}";
            if (server is null || (_options.DaemonServer && _conn.Protocol < 28))
                _log.Error(line);
            else
                server.Warning(line);
        }
        else
        {
            _ioError |= FileListBuilder.IoErrorGeneral;
            string line = $"rsync: [sender] send_files failed to open {quotedName}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})";
            if (server is null)
                _log.Error(line);
            else
                server.Failure(line);
        }
        if (_conn.Protocol >= 30)
            _conn.Out.WriteMessageInt(MessageCode.NoSend, ndx);
        return null;
    }

    private string AbsolutePath(string path) =>
        Path.IsPathFullyQualified(path) ? path : Path.Join(_workingDirectory ??= Environment.CurrentDirectory, path);

    /// <summary>
    /// How one file goes: <paramref name="AppendFrom"/> is where --append starts sending (-1: not appending), with
    /// <paramref name="VerifyPrefix"/> the kept start is in the whole-file sum too (--append-verify);
    /// <paramref name="UpdatingBasis"/>: the receiver writes in place over the basis.
    /// </summary>
    private readonly record struct SendMode(long AppendFrom, bool VerifyPrefix, bool UpdatingBasis);

    // sender.c: receive_sums — with --append the header's blocks cover what the receiver has (flength).
    private static long AppendedLength(SumHeader head) =>
        head.Count == 0 ? 0 : (long)(head.Count - 1) * head.BlockLength + head.LengthOf(head.Count - 1);

    // rsync match.c: match_sums — with no block sums (a new file, -W, or --append) the file goes as literal data in
    // CHUNK_SIZE pieces (with --append from the receiver's length on, at most the file's: a peer may claim more);
    // otherwise the match finder emits matches and literals. Either way the whole-file sum follows.
    // sender.c: send_files — what goes is what the file held when it was opened (do_fstat's st_size; a device's
    // get_device_size with --copy-devices), not whatever a read finds until EOF: a file that grows meanwhile is cut
    // there, and a device such as /dev/zero (size 0) sends nothing. A device met without --copy-devices (a file swapped
    // for one since it was listed) is not read at all; stock ends the run there ("attempt to copy device contents
    // without --copy-devices", RERR_PROTOCOL).
    private long SizeAtOpen(SafeFileHandle handle)
    {
        int fd = (int)handle.DangerousGetHandle();
        if (NativeStat.TryStatAt(fd, "", Interop.AT_EMPTY_PATH, out NativeStat.Info st) != 0)
            return long.MaxValue;
        if ((st.Mode & FileEntry.S_IFMT) is FileEntry.S_IFCHR or FileEntry.S_IFBLK)
            return !_options.CopyDevices ? 0 : st.Size != 0 ? st.Size : DeviceSize.Of(fd);
        return st.Size;
    }

    private void SendFileData(SafeFileHandle handle, long length, FileEntry file, int ndx, Signature signature, SendMode how, MatchFinder finder,
        CountingSink sink, FileChecksum fileSum, byte[] buffer, Span<byte> digest, bool plainTokens)
    {
        FileProgress? progress = _progress is null ? null : new FileProgress(_progress, done => FileProgressAt(file, ndx, done));
        if (plainTokens && signature.Header.Count == 0 && how.AppendFrom <= 0 && length <= ChunkSize)
        {
            SendSmallWhole(handle, (int)length, file, ndx, sink, fileSum);
        }
        else if (signature.Header.Count > 0 && how.AppendFrom < 0)
        {
            // Read with pread into the finder's window, no further than the length at open (match.c reads no further
            // than the mapped st_size); the read that would find the end is not made when the length is reached.
            finder.Use(signature, how.UpdatingBasis);
            finder.Begin(sink, fileSum, progress);
            long done = 0;
            int n;
            do
            {
                Span<byte> free = finder.GetBuffer().Span;
                n = done >= length ? 0 : PositionalIo.ReadAt(handle, free[..(int)Math.Min(free.Length, length - done)], done);
                done += n;
                finder.Advance(n);
            } while (n > 0);
        }
        else
        {
            fileSum.Reset();
            long done = 0;
            if (how.AppendFrom > 0)
            {
                done = Math.Min(how.AppendFrom, length);
                if (how.VerifyPrefix)
                    SumPrefix(handle, done, fileSum, buffer);
            }
            while (done < length)
            {
                int n = PositionalIo.ReadAt(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done)), done);
                if (n == 0)
                    break;
                fileSum.Append(buffer.AsSpan(0, n));
                for (int off = 0; off < n; off += ChunkSize)
                    sink.WriteLiteral(buffer.AsSpan(off, Math.Min(ChunkSize, n - off)));
                done += n;
                _progress?.Report(FileProgressAt(file, ndx, done));
                // A short read of a regular file is its end: spare the small file a second read that returns 0.
                if (n < buffer.Length)
                    break;
            }
            // sender.c: send_files — end_progress follows match_sums for every file: an empty one (never mapped, so no
            // show_progress) still gets its "0 100%" line.
            if (file.Size == 0)
                _progress?.Report(FileProgressAt(file, ndx, 0));
            sink.Finish();
        }
        fileSum.GetDigestAndReset(digest);
        _conn.Out.Write(digest[..fileSum.DigestLength]);
    }

    // token.c: simple_send_token — a file of at most CHUNK_SIZE sent whole without compression is one literal token
    // (int32 length, the bytes) and the end token (int32 0), the same bytes the token encoder makes. Read straight into
    // the output buffer: through the encoder each byte was copied three times more (the encoder's held literal, its
    // output buffer, the connection's buffer). A larger file keeps the encoder's path: its 32 KiB pieces and their
    // headers would not fill the connection's frames.
    private void SendSmallWhole(SafeFileHandle handle, int length, FileEntry file, int ndx, CountingSink sink, FileChecksum fileSum)
    {
        fileSum.Reset();
        if (length > 0)
        {
            Span<byte> piece = _conn.Out.GetSpan(4 + length);
            int n = PositionalIo.ReadAt(handle, piece.Slice(4, length), 0);
            if (n > 0)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(piece, n);
                fileSum.Append(piece.Slice(4, n));
                _conn.Out.Advance(4 + n);
                sink.CountLiteral(n);
                _progress?.Report(FileProgressAt(file, ndx, n));
            }
        }
        // As the general path: an empty file still gets its "0 100%" line.
        if (file.Size == 0)
            _progress?.Report(FileProgressAt(file, ndx, 0));
        _conn.Out.WriteInt32(0);
    }

    private static void SumPrefix(SafeFileHandle handle, long length, FileChecksum fileSum, byte[] buffer)
    {
        for (long at = 0; at < length;)
        {
            int n = PositionalIo.ReadAt(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - at)), at);
            if (n <= 0)
                throw new IOException("the file shrank while its start was read");
            fileSum.Append(buffer.AsSpan(0, n));
            at += n;
        }
    }

    // rsync main.c: read_final_goodbye — NDX_DONE, and from protocol 31 one more NDX_DONE round trip.
    private async Task ReadFinalGoodbyeAsync(CancellationToken ct)
    {
        _conn.ShuttingDown = true;
        int ndx;
        if (_conn.Protocol < 29)
        {
            ndx = await _conn.In.ReadInt32Async(ct).ConfigureAwait(false);
        }
        else
        {
            ndx = (await NdxAndAttrs.ReadAsync(_conn, _files, _stats, alternatesOffered: true, ct, echoDeleteStats: _conn.IsServer).ConfigureAwait(false)).Ndx;
            if (_conn.Protocol >= 31 && ndx == Ndx.Done)
            {
                _conn.NdxOut.Write(_conn.Out, Ndx.Done);
                ndx = (await NdxAndAttrs.ReadAsync(_conn, _files, _stats, alternatesOffered: true, ct, echoDeleteStats: _conn.IsServer).ConfigureAwait(false)).Ndx;
            }
        }
        if (ndx != Ndx.Done)
            throw RsyncException.Protocol($"Invalid packet at end of run ({ndx})");
        // main.c: do_server_sender and client_run — io_flush(FULL_FLUSH) after read_final_goodbye: the echo above
        // goes out with what waited before it, or here when the last index had already arrived.
        _conn.Send();
        _conn.In.DrainArrived();
    }

    private void CountCreated(FileEntry file, ItemChanges iflags)
    {
        if ((iflags & ItemChanges.IsNew) == 0)
            return;
        _stats.CreatedFiles++;
        if (file.IsDirectory)
            _stats.CreatedDirs++;
        else if (file.IsSymlink)
            _stats.CreatedSymlinks++;
        else if (file.IsDevice)
            _stats.CreatedDevices++;
        else if (file.IsSpecial)
            _stats.CreatedSpecials++;
    }

    // Reports synchronously, in order (System.Progress would post to the thread pool).
    private sealed class FileProgress(IProgress<TransferProgress> target, Func<long, TransferProgress> at) : IProgress<long>
    {
        public void Report(long value) => target.Report(at(value));
    }

    // progress.c: show_progress / end_progress — the entry's place among all listed so far (with incremental
    // recursion its index less its part's number); the totals are stats.total_size (every list's regular files and
    // symlinks so far) and stats.total_transferred_size, which counted this file when its request came (sender.c:
    // send_files).
    private TransferProgress FileProgressAt(FileEntry file, int ndx, long done) =>
        ProgressTotals(new TransferProgress(Shown(file), done, file.Size, _lists?.Place(ndx) ?? ndx, 0));

    private TransferProgress ProgressTotals(TransferProgress p) => p with
    {
        FilesTotal = _lists?.Listed ?? _files.Count,
        ListsIncomplete = _lists is { Complete: false },
        TotalSize = _writer?.TotalSize ?? _stats.TotalSize,
        TransferredSize = _stats.TotalTransferredSize,
    };

    /// <summary>Counts literal and matched bytes on their way to the token encoder (rsync match.c: stats).</summary>
    private sealed class CountingSink(IDeltaSink inner) : IDeltaSink
    {
        public long Literal { get; private set; }
        public long Matched { get; private set; }

        public void WriteLiteral(ReadOnlySpan<byte> data)
        {
            Literal += data.Length;
            inner.WriteLiteral(data);
        }

        public void WriteMatch(int blockIndex, ReadOnlySpan<byte> data)
        {
            Matched += data.Length;
            inner.WriteMatch(blockIndex, data);
        }

        public void Finish() => inner.Finish();

        /// <summary>Literal bytes the sender put on the wire itself, around the encoder (SendSmallWhole).</summary>
        public void CountLiteral(int length) => Literal += length;
    }
}
