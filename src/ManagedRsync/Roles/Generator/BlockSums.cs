using System.Buffers;
using System.Buffers.Binary;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Roles.Generator;

/// <summary>
/// The generator's block sums of a basis file (rsync generator.c: generate_and_send_sums): after the sum header, per
/// block an int32 rolling sum and the first s2length bytes of its strong sum. The generator's walk over the file list
/// (recv_generator) is <see cref="GeneratorRole"/>.
/// </summary>
internal static class BlockSums
{
    /// <summary>A basis at least this long is summed by two threads (<see cref="WriteInParallel"/>).</summary>
    internal const long ParallelFrom = 16 << 20;

    /// <summary>The most sums a basis may have for <see cref="WriteInParallel"/>'s table (4 MiB of them, 20 bytes each).</summary>
    private const int MaxParallelBlocks = 200_000;

    /// <summary>Reads the basis in runs of whole blocks (about 1 MiB) and sends each block's rolling and strong sum.</summary>
    public static void Write(SafeFileHandle basis, SumHeader header, ChecksumVariant checksum, int seed, bool seedFix,
        MultiplexWriter output)
    {
        if (header.FileLength >= ParallelFrom && header.Count <= MaxParallelBlocks && Environment.ProcessorCount > 1)
        {
            WriteInParallel(basis, header, checksum, seed, seedFix, output);
            return;
        }
        var strong = BlockChecksum.Create(checksum, seed, seedFix);
        Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
        int blocksPerRead = Math.Max(1, (1 << 20) / header.BlockLength);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(blocksPerRead * header.BlockLength);
        try
        {
            for (int first = 0; first < header.Count; first += blocksPerRead)
            {
                int count = Math.Min(blocksPerRead, header.Count - first);
                ReadBlocks(basis, header, first, count, buffer);
                for (int i = 0; i < count; i++)
                {
                    var data = buffer.AsSpan(i * header.BlockLength, header.LengthOf(first + i));
                    output.WriteInt32((int)RollingChecksum.Compute(data));
                    strong.Compute(data, digest);
                    output.Write(digest[..header.StrongLength]);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// A large basis's sums, computed by this thread and a thread-pool one, each taking the next run of about 1 MiB of
    /// blocks as it is free, into a table sent in order as its runs are done. While the generator sums a basis nothing
    /// else of the transfer can move (the sender reads every sum before it matches, rsync sender.c: receive_sums, and
    /// the receiver waits for the sender's data), so a second core is idle then: the summing of a pushed 256 MiB
    /// delta's basis was the longest step of its critical path before the receiver's (RESULTS.md, session 15). The
    /// bytes sent are the same, in the same order. A helper that has not started when this thread is done is not
    /// waited for (on a busy machine it may start late): it does nothing then.
    /// </summary>
    private static void WriteInParallel(SafeFileHandle basis, SumHeader header, ChecksumVariant checksum, int seed, bool seedFix,
        MultiplexWriter output)
    {
        int entry = 4 + header.StrongLength;
        int blocksPerRun = Math.Max(1, (1 << 20) / header.BlockLength);
        int runs = (header.Count + blocksPerRun - 1) / blocksPerRun;
        byte[] table = ArrayPool<byte>.Shared.Rent(header.Count * entry);
        var summed = new int[runs];
        int claimed = -1;
        int helperState = NotStarted;
        using var mine = new Summer(checksum, seed, seedFix, header);
        using var theirs = new Summer(checksum, seed, seedFix, header);

        // Sums the runs not yet taken, one at a time, until none is left.
        void SumRuns(Summer summer, Action? afterEach)
        {
            int run;
            while ((run = Interlocked.Increment(ref claimed)) < runs)
            {
                int first = run * blocksPerRun;
                summer.Sum(basis, first, Math.Min(blocksPerRun, header.Count - first), table.AsSpan(first * entry));
                Volatile.Write(ref summed[run], 1);
                afterEach?.Invoke();
            }
        }

        int sent = 0;
        // What is summed in order goes out (this thread only writes the output).
        void SendReady()
        {
            while (sent < runs && Volatile.Read(ref summed[sent]) == 1)
            {
                int first = sent * blocksPerRun;
                int count = Math.Min(blocksPerRun, header.Count - first);
                output.Write(table.AsSpan(first * entry, count * entry));
                sent++;
            }
        }

        Task helper = Task.Run(() =>
        {
            if (Interlocked.CompareExchange(ref helperState, Running, NotStarted) == NotStarted)
                SumRuns(theirs, null);
        });
        bool done = false;
        try
        {
            SumRuns(mine, SendReady);
            done = true;
        }
        finally
        {
            // The helper writes into the table: a started one is done before the table is sent or returned.
            bool started = Interlocked.CompareExchange(ref helperState, NotToStart, NotStarted) != NotStarted;
            if (started && !done)
                WaitQuietly(helper);
            if (!done)
                ArrayPool<byte>.Shared.Return(table);
        }
        try
        {
            if (helperState == Running)
                helper.GetAwaiter().GetResult();
            SendReady();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(table);
        }
    }

    private const int NotStarted = 0, Running = 1, NotToStart = 2;

    private static void WaitQuietly(Task task)
    {
        try
        {
            task.Wait();
        }
        catch (AggregateException)
        {
            // The failure being thrown is this thread's.
        }
    }

    // One thread's share: a run of blocks read at once, each block's rolling sum (int32, little-endian as rsync's
    // write_int) and the first s2length bytes of its strong sum into the table.
    /// <summary>
    /// Reads blocks <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 of the basis
    /// into the start of <paramref name="buffer"/>. A basis that shrank under us leaves zeros: the redo pass fixes the
    /// file.
    /// </summary>
    private static void ReadBlocks(SafeFileHandle basis, SumHeader header, int first, int count, Span<byte> buffer)
    {
        int wanted = (count - 1) * header.BlockLength + header.LengthOf(first + count - 1);
        long offset = (long)first * header.BlockLength;
        int got = 0;
        while (got < wanted)
        {
            int n = PositionalIo.ReadAt(basis, buffer[got..wanted], offset + got);
            if (n <= 0)
                break;
            got += n;
        }
        buffer[got..wanted].Clear();
    }

    private sealed class Summer(ChecksumVariant checksum, int seed, bool seedFix, SumHeader header) : IDisposable
    {
        private readonly BlockChecksum _strong = BlockChecksum.Create(checksum, seed, seedFix);
        private readonly int _blocksPerRead = Math.Max(1, (1 << 20) / header.BlockLength);
        private byte[]? _buffer;

        public void Sum(SafeFileHandle basis, int firstBlock, int count, Span<byte> table)
        {
            _buffer ??= ArrayPool<byte>.Shared.Rent(_blocksPerRead * header.BlockLength);
            Span<byte> digest = stackalloc byte[ChecksumNames.MaxDigestLength];
            int entry = 4 + header.StrongLength;
            for (int done = 0; done < count; done += _blocksPerRead)
            {
                int first = firstBlock + done;
                int n = Math.Min(_blocksPerRead, count - done);
                ReadBlocks(basis, header, first, n, _buffer);
                for (int i = 0; i < n; i++)
                {
                    var data = _buffer.AsSpan(i * header.BlockLength, header.LengthOf(first + i));
                    Span<byte> slot = table.Slice((done + i) * entry, entry);
                    BinaryPrimitives.WriteInt32LittleEndian(slot, (int)RollingChecksum.Compute(data));
                    _strong.Compute(data, digest);
                    digest[..header.StrongLength].CopyTo(slot[4..]);
                }
            }
        }

        public void Dispose()
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
