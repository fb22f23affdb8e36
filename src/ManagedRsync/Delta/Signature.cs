using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// The block sums of a basis file: for each block, rsync's weak checksum1 and the first
/// <see cref="SumHeader.StrongLength"/> bytes of its strong sum (rsync generator.c: generate_and_send_sums).
/// Built from a basis by <see cref="Compute"/>, or block by block from a peer with <see cref="Add"/>, which grows the
/// storage as sums arrive so that a hostile header's count never sizes an allocation by itself.
/// </summary>
public sealed class Signature
{
    private uint[] _weak;
    private byte[] _strong;

    /// <summary>
    /// Creates an empty signature for <paramref name="header"/>; fill it with <see cref="Add"/>. The variant and seed
    /// are recorded for file formats that carry them; the wire knows them from the session.
    /// </summary>
    public Signature(SumHeader header, ChecksumVariant variant = ChecksumVariant.Md5, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(header.Count);
        Header = header;
        Variant = variant;
        Seed = seed;
        int initial = Math.Min(header.Count, 4096);
        _weak = new uint[initial];
        _strong = new byte[initial * header.StrongLength];
    }

    /// <summary>The strong-sum variant the sums were made with.</summary>
    public ChecksumVariant Variant { get; }

    /// <summary>The checksum seed the sums were made with.</summary>
    public int Seed { get; }

    /// <summary>The layout of the basis.</summary>
    public SumHeader Header { get; }

    /// <summary>Number of blocks added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Whether every block of the header has its sums.</summary>
    public bool IsComplete => Count == Header.Count;

    /// <summary>Weak sum of block <paramref name="index"/>.</summary>
    public uint WeakSum(int index) => _weak[index];

    /// <summary>Strong-sum prefix of block <paramref name="index"/>.</summary>
    public ReadOnlySpan<byte> StrongSum(int index) => _strong.AsSpan(index * Header.StrongLength, Header.StrongLength);

    internal uint[] WeakSums => _weak;
    internal byte[] StrongSums => _strong;

    /// <summary>Appends the next block's sums; <paramref name="strong"/> must be exactly the header's strong length.</summary>
    public void Add(uint weak, ReadOnlySpan<byte> strong)
    {
        if (Count >= Header.Count)
            throw RsyncException.Protocol($"More block sums than the {Header.Count} announced");
        if (strong.Length != Header.StrongLength)
            throw new ArgumentException($"A strong sum of {Header.StrongLength} bytes is expected.", nameof(strong));
        if (Count == _weak.Length)
        {
            int grown = (int)Math.Min(Header.Count, Math.Max(16L, 2L * _weak.Length));
            Array.Resize(ref _weak, grown);
            Array.Resize(ref _strong, grown * Header.StrongLength);
        }
        _weak[Count] = weak;
        strong.CopyTo(_strong.AsSpan(Count * Header.StrongLength));
        Count++;
    }

    /// <summary>
    /// Computes the sums of every block of <paramref name="basis"/> (read sequentially from its current position)
    /// as laid out by <paramref name="header"/>.
    /// </summary>
    public static Signature Compute(Stream basis, SumHeader header, BlockChecksum strong,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var run = new SignatureRun(header, strong, progress);
        int n;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            n = basis.Read(run.Free.Span);
        } while (run.Take(n));
        return run.Finish();
    }

    /// <summary>Asynchronous form of <see cref="Compute"/>.</summary>
    public static async Task<Signature> ComputeAsync(Stream basis, SumHeader header, BlockChecksum strong,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        var run = new SignatureRun(header, strong, progress);
        while (run.Take(await basis.ReadAsync(run.Free, cancellationToken).ConfigureAwait(false)))
        {
        }
        return run.Finish();
    }

    /// <summary>Sums whole blocks out of a buffer as it fills; the sync and async readers share it.</summary>
    private sealed class SignatureRun
    {
        private readonly Signature _signature;
        private readonly BlockChecksum _strong;
        private readonly IProgress<long>? _progress;
        private readonly byte[] _digest = new byte[ChecksumNames.MaxDigestLength];
        private readonly byte[] _buffer;
        private int _filled;
        private long _done;

        public SignatureRun(SumHeader header, BlockChecksum strong, IProgress<long>? progress)
        {
            ArgumentNullException.ThrowIfNull(strong);
            _signature = new Signature(header, strong.Variant, strong.Seed);
            _strong = strong;
            _progress = progress;
            _buffer = new byte[Math.Max(1 << 20, 2 * header.BlockLength)];
        }

        /// <summary>Where the next read goes.</summary>
        public Memory<byte> Free => _buffer.AsMemory(_filled);

        /// <summary>Takes <paramref name="n"/> bytes read into <see cref="Free"/> (0: the end); false when done.</summary>
        public bool Take(int n)
        {
            _filled = Consume(_buffer, _filled + n, n == 0);
            _done += n;
            _progress?.Report(_done);
            return n > 0;
        }

        /// <summary>Sums every complete block in buffer[..filled] and returns how many bytes remain, moved to the front.</summary>
        private int Consume(byte[] buffer, int filled, bool end)
        {
            var signature = _signature;
            var strong = _strong;
            var header = signature.Header;
            int at = 0;
            while (signature.Count < header.Count)
            {
                int length = header.LengthOf(signature.Count);
                if (filled - at < length)
                    break;
                var block = buffer.AsSpan(at, length);
                strong.Compute(block, _digest);
                signature.Add(RollingChecksum.Compute(block), _digest.AsSpan(0, header.StrongLength));
                at += length;
            }
            if (!end && signature.Count == header.Count && filled > at)
                throw new RsyncException(RsyncErrorKind.FileIo, "The basis grew while its signature was computed");
            Buffer.BlockCopy(buffer, at, buffer, 0, filled - at);
            return filled - at;
        }

        public Signature Finish()
        {
            var signature = _signature;
            if (!signature.IsComplete)
                throw new RsyncException(RsyncErrorKind.FileIo,
                    $"The basis ended after {signature.Count} of {signature.Header.Count} blocks");
            return signature;
        }
    }
}
