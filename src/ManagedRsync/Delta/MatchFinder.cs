using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// The sender's side of the delta (rsync match.c: hash_search): slides rsync's rolling checksum over the new file,
/// looks each position up among the basis blocks of a <see cref="Signature"/>, confirms candidates with the strong
/// sum, and writes literal runs (at most 32 KiB each, rsync CHUNK_SIZE) and matched blocks to an
/// <see cref="IDeltaSink"/>. The whole-file transfer sum is computed over the same bytes on the way.
/// </summary>
/// <remarks>
/// Streaming: the new file is pushed in through <see cref="GetBuffer"/> / <see cref="Advance"/>; memory is the
/// signature, its hash table and a window of about twice (32 KiB + block length) plus one read. As in rsync, after a
/// match the next block of the basis is preferred when it matches too (want_i), so runs of blocks stay runs, and
/// the walk along one hash chain gives up after 1024 entries with the right weak sum (MAX_CHAIN_LEN).
/// </remarks>
public sealed class MatchFinder
{
    /// <summary>rsync CHUNK_SIZE: the longest literal run handed to the sink in one call.</summary>
    public const int ChunkSize = 32 * 1024;

    private const int MaxChainLength = 1024; // rsync match.c MAX_CHAIN_LEN

    private readonly BlockChecksum _strong;
    private readonly byte[] _digest = new byte[ChecksumNames.MaxDigestLength];
    private Signature _signature = null!;
    private SumHeader _header;
    // The hash table, its chains and the filter in front of it: kept from file to file (Use), each used as far as the
    // current signature sizes it.
    private int[] _head = [];
    private int[] _next = [];
    private ulong[] _filter = [];
    private int _tableShift;
    private int _filterShift;
    private bool[]? _sameOffset;

    private byte[] _buffer = [];
    private long _bufferStart;   // file offset of _buffer[0]
    private int _filled;
    private long _offset;        // where the window starts
    private long _lastMatch;     // first byte not yet sent as literal or match
    private int _k;              // window length
    private uint _s1, _s2;
    private bool _haveSum;
    private int _wantIndex;
    private bool _finished;
    private IDeltaSink? _sink;
    private FileChecksum? _fileSum;
    private IProgress<long>? _progress;

    /// <summary>
    /// Prepares a finder for <paramref name="signature"/> (which must be complete), whose strong sums were made with
    /// <paramref name="strong"/>. One finder can match any number of files against the same signature, one at a time.
    /// </summary>
    public MatchFinder(Signature signature, BlockChecksum strong)
        : this(strong)
    {
        Use(signature, updatingBasis: false);
    }

    /// <summary>
    /// A finder with no signature yet, for a sender that matches file after file against each one's own signature
    /// (<see cref="Use"/>): its table, filter and window are allocated once and reused, where a finder per file
    /// allocated (and zeroed) several hundred KiB for each, even for a file of a single block.
    /// </summary>
    internal MatchFinder(BlockChecksum strong)
    {
        ArgumentNullException.ThrowIfNull(strong);
        _strong = strong;
    }

    /// <summary>
    /// Matches the next files against <paramref name="signature"/> (complete, its strong sums made with this finder's
    /// <see cref="BlockChecksum"/>); <paramref name="updatingBasis"/> as <see cref="UpdatingBasis"/>.
    /// </summary>
    internal void Use(Signature signature, bool updatingBasis)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!signature.IsComplete)
            throw new ArgumentException("The signature is missing block sums.", nameof(signature));
        _signature = signature;
        _header = signature.Header;
        int count = _header.Count;
        // rsync sizes its table at count * 10/8 + 11 entries and never below 2^16 (match.c: build_hash_table), and
        // sets all of it again for every file. We round up to a power of two so that a multiply-shift picks the
        // bucket, from 2^10 on: a chain lists the blocks of its bucket in index order, and blocks of equal weak sums
        // share a bucket whatever the table's size, so the size changes no match, only the work of a small file.
        int bits = Math.Clamp(BitOperations.Log2((ulong)Math.Max(1L, count + (long)count / 4)) + 1, MinTableBits, 28);
        _tableShift = 32 - bits;
        _head = Reuse(_head, 1 << bits);
        _next = Reuse(_next, count);
        _head.AsSpan(0, 1 << bits).Fill(-1);
        // A bit filter in front of the table: most positions of a changed file match nothing, and a 2^15..2^24-bit
        // filter stays in the fast caches where the table may not.
        int filterBits = Math.Clamp(BitOperations.Log2((uint)Math.Max(1, count)) + 5, 15, 24);
        _filterShift = 32 - filterBits;
        _filter = Reuse(_filter, (1 << filterBits) / 64);
        _filter.AsSpan(0, (1 << filterBits) / 64).Clear();
        int[] head = _head, next = _next;
        ulong[] filter = _filter;
        var weak = signature.WeakSums;
        // Inserted last to first so that each chain lists the lower block indexes first.
        for (int i = count - 1; i >= 0; i--)
        {
            uint mixed = Mix(weak[i]);
            int bucket = (int)(mixed >> _tableShift);
            next[i] = head[bucket];
            head[bucket] = i;
            uint f = mixed >> _filterShift;
            filter[f >> 6] |= 1UL << (int)(f & 63);
        }
        _sameOffset = updatingBasis ? new bool[count] : null;
        _sink = null;
    }

    /// <summary>The smallest hash table, in bits of its size (2^10 buckets, 4 KiB).</summary>
    internal const int MinTableBits = 10;

    // A kept array serves when it is long enough and not more than four times (and 256 KiB) longer than needed: a
    // sender that met one huge file does not hold its table for the rest of the session.
    private static T[] Reuse<T>(T[] held, int needed) =>
        held.Length >= needed && (held.Length <= 4L * needed || held.Length <= (1 << 16)) ? held : new T[needed];

    /// <summary>
    /// The receiver rebuilds the file over its basis (rsync --inplace; match.c: updating_basis_file): a block is
    /// matched only where the receiver has not written yet (its offset at or after the current one) unless it already
    /// matched at its own offset, and a block matching at its own offset is preferred (the receiver need not write it).
    /// </summary>
    public bool UpdatingBasis
    {
        get => _sameOffset is not null;
        init => _sameOffset = value ? new bool[_header.Count] : null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Mix(uint sum) => sum * 0x9E3779B1u;

    /// <summary>Number of block matches found in the current file so far.</summary>
    public int Matches { get; private set; }

    /// <summary>Literal bytes sent for the current file so far.</summary>
    public long LiteralBytes { get; private set; }

    /// <summary>
    /// Starts a new file. <paramref name="fileSum"/>, if given, is reset and fed every byte of the file.
    /// <paramref name="progress"/> receives the number of bytes of the file dealt with.
    /// </summary>
    public void Begin(IDeltaSink sink, FileChecksum? fileSum = null, IProgress<long>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_signature is null)
            throw new InvalidOperationException("Give the finder a signature first.");
        _sink = sink;
        _fileSum = fileSum;
        _fileSum?.Reset();
        _progress = progress;
        int capacity = 2 * (ChunkSize + _header.BlockLength) + (1 << 18);
        if (_buffer.Length < capacity)
            _buffer = new byte[capacity];
        _bufferStart = _offset = _lastMatch = 0;
        _filled = _k = 0;
        _s1 = _s2 = 0;
        _haveSum = _finished = false;
        _wantIndex = 0;
        if (_sameOffset is not null)
            Array.Clear(_sameOffset);
        Matches = 0;
        LiteralBytes = 0;
    }

    /// <summary>Space to read the next bytes of the new file into; then call <see cref="Advance"/>.</summary>
    public Memory<byte> GetBuffer()
    {
        if (_sink is null || _finished)
            throw new InvalidOperationException("Begin a file first.");
        if (_buffer.Length - _filled < (1 << 16))
        {
            // Everything before the first unsent byte is done with.
            int keep = (int)(_lastMatch - _bufferStart);
            Buffer.BlockCopy(_buffer, keep, _buffer, 0, _filled - keep);
            _filled -= keep;
            _bufferStart = _lastMatch;
        }
        return _buffer.AsMemory(_filled);
    }

    /// <summary>
    /// Takes <paramref name="count"/> bytes written into <see cref="GetBuffer"/>; 0 means the file has ended, which
    /// sends what remains and finishes the sink.
    /// </summary>
    public void Advance(int count)
    {
        if (_sink is null || _finished)
            throw new InvalidOperationException("Begin a file first.");
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _filled);
        _filled += count;
        Search(count == 0);
        if (count == 0)
        {
            EmitLiteral(_bufferStart + _filled);
            _sink.Finish();
            _finished = true;
        }
    }

    /// <summary>Matches all of <paramref name="newFile"/> (from its position to its end) into <paramref name="sink"/>.</summary>
    public void Run(Stream newFile, IDeltaSink sink, FileChecksum? fileSum = null, IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newFile);
        Begin(sink, fileSum, progress);
        int n;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            n = newFile.Read(GetBuffer().Span);
            Advance(n);
        } while (n > 0);
    }

    /// <summary>
    /// Searches the window as far as the data allows. Before the end of the file a position is searched only when a
    /// full block and the byte after it are present, so the rolling update always has its incoming byte.
    /// </summary>
    private void Search(bool end)
    {
        int count = _header.Count;
        if (count == 0)
        {
            FlushFullChunks();
            return;
        }
        long available = _bufferStart + _filled;
        int blength = _header.BlockLength;
        // rsync match.c: end = len + 1 - (length of the last block); no match can start at or after it.
        long stop = end ? available + 1 - _header.LengthOf(count - 1) : long.MaxValue;
        byte[] buf = _buffer;
        while (true)
        {
            if (!_haveSum)
            {
                long remaining = available - _offset;
                if (end ? _offset >= stop : remaining <= blength)
                    break;
                _k = (int)Math.Min(blength, remaining);
                uint sum = RollingChecksum.Compute(buf.AsSpan((int)(_offset - _bufferStart), _k));
                _s1 = sum & 0xFFFF;
                _s2 = sum >> 16;
                _haveSum = true;
            }
            // Positions searchable now: before `stop`, with a next byte to roll in (unless at the end), and no further
            // than where the pending literal reaches a full chunk.
            long limit = end ? stop : available - _k;
            limit = Math.Min(limit, _lastMatch + ChunkSize + 1);
            if (_offset >= limit)
            {
                if (end ? _offset >= stop : _offset < _lastMatch + ChunkSize + 1)
                    break;
                FlushChunk();
                continue;
            }
            uint s1 = _s1, s2 = _s2;
            int k = _k;
            int at = (int)(_offset - _bufferStart);
            int atLimit = (int)(limit - _bufferStart);
            // Positions below `rollable` have their incoming byte; at the end of the file the rest shrink the window.
            int rollable = Math.Min(atLimit, (int)(available - _bufferStart) - k);
            int shift = _filterShift;
            ref ulong filter = ref MemoryMarshal.GetArrayDataReference(_filter);
            ref byte data = ref MemoryMarshal.GetArrayDataReference(buf);
            bool matched = false;
            // The hot loop: indexes are bounded by rollable (at + k < filled <= buf.Length) and by the filter size
            // (f < 2^filterBits), so the checks are left out.
            for (; at < rollable; at++)
            {
                uint sum = (s1 & 0xFFFF) | (s2 << 16);
                uint f = Mix(sum) >> shift;
                if (((Unsafe.Add(ref filter, (int)(f >> 6)) >> (int)f) & 1) != 0 && TryMatch(sum, at, k))
                {
                    matched = true;
                    break;
                }
                int outgoing = (sbyte)Unsafe.Add(ref data, at);
                s1 = s1 - (uint)outgoing + (uint)(sbyte)Unsafe.Add(ref data, at + k);
                s2 = s2 - (uint)(k * outgoing) + s1;
            }
            for (; !matched && at < atLimit; at++)
            {
                uint sum = (s1 & 0xFFFF) | (s2 << 16);
                uint f = Mix(sum) >> shift;
                if (((_filter[f >> 6] >> (int)f) & 1) != 0 && TryMatch(sum, at, k))
                {
                    matched = true;
                    break;
                }
                // At the end of the file the window shrinks instead (rsync match.c: "--k").
                int outgoing = (sbyte)buf[at];
                s1 -= (uint)outgoing;
                s2 -= (uint)(k * outgoing);
                k--;
            }
            if (matched)
                continue;
            _s1 = s1;
            _s2 = s2;
            _k = k;
            _offset = _bufferStart + at;
        }
    }

    /// <summary>Looks for a block matching the window at buffer index <paramref name="at"/>; sends it if found.</summary>
    private bool TryMatch(uint sum, int at, int k)
    {
        _offset = _bufferStart + at;
        _k = k;
        int index = FindBlock(sum, at, k);
        if (index < 0)
            return false;
        EmitMatch(index, _offset);
        return true;
    }

    /// <summary>
    /// Walks the hash chain for <paramref name="sum"/> at buffer index <paramref name="at"/> and returns the block
    /// that matches (preferring the one after the previous match), or -1.
    /// </summary>
    private int FindBlock(uint sum, int at, int length)
    {
        var weak = _signature.WeakSums;
        int s2length = _header.StrongLength;
        bool haveStrong = false;
        int chain = 0;
        bool[]? sameOffset = _sameOffset;
        for (int i = _head[(int)(Mix(sum) >> _tableShift)]; i >= 0; i = _next[i])
        {
            if (sameOffset is not null && (long)i * _header.BlockLength < _offset && !sameOffset[i])
                continue;
            if (weak[i] != sum)
                continue;
            if (++chain > MaxChainLength)
                break;
            if (_header.LengthOf(i) != length)
                continue;
            if (!haveStrong)
            {
                _strong.Compute(_buffer.AsSpan(at, length), _digest);
                haveStrong = true;
            }
            if (!_digest.AsSpan(0, s2length).SequenceEqual(_signature.StrongSum(i)))
                continue;
            int want = _wantIndex;
            if (sameOffset is not null && _offset % _header.BlockLength == 0 && _offset / _header.BlockLength < _header.Count)
            {
                // match.c: the block at this very offset wins over the one found, when it matches too.
                int aligned = (int)(_offset / _header.BlockLength);
                if (aligned == i || (weak[aligned] == sum && _header.LengthOf(aligned) == length
                    && _digest.AsSpan(0, s2length).SequenceEqual(_signature.StrongSum(aligned))))
                {
                    i = want = aligned;
                    sameOffset[i] = true;
                }
            }
            if (sameOffset is not null && want < _header.Count && (long)want * _header.BlockLength < _offset && !sameOffset[want])
                want = i;
            if (i != want && want < _header.Count && weak[want] == sum && _header.LengthOf(want) == length
                && _digest.AsSpan(0, s2length).SequenceEqual(_signature.StrongSum(want)))
            {
                i = want;
            }
            _wantIndex = i + 1;
            return i;
        }
        return -1;
    }

    private void EmitMatch(int index, long offset)
    {
        EmitLiteral(offset);
        int length = _header.LengthOf(index);
        var data = _buffer.AsSpan((int)(offset - _bufferStart), length);
        _sink!.WriteMatch(index, data);
        _fileSum?.Append(data);
        Matches++;
        _lastMatch = _offset = offset + length;
        _haveSum = false;
        _progress?.Report(_lastMatch);
    }

    /// <summary>Sends the bytes from the last match up to <paramref name="to"/> as literal runs of at most a chunk.</summary>
    private void EmitLiteral(long to)
    {
        while (_lastMatch < to)
        {
            int n = (int)Math.Min(ChunkSize, to - _lastMatch);
            var data = _buffer.AsSpan((int)(_lastMatch - _bufferStart), n);
            _sink!.WriteLiteral(data);
            _fileSum?.Append(data);
            LiteralBytes += n;
            _lastMatch += n;
            _progress?.Report(_lastMatch);
        }
    }

    private void FlushChunk() => EmitLiteral(_lastMatch + ChunkSize);

    private void FlushFullChunks()
    {
        long available = _bufferStart + _filled;
        while (available - _lastMatch >= ChunkSize)
            FlushChunk();
        _offset = _lastMatch;
    }
}
