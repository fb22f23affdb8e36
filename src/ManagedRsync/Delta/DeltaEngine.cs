using ManagedRsync.Checksums;

namespace ManagedRsync.Delta;

/// <summary>
/// rsync's delta algorithm as a library, rdiff-style: a <b>signature</b> of a basis file, a <b>delta</b> of a new
/// file against that signature, and a <b>patch</b> that rebuilds the new file from the basis and the delta. The
/// checksums, block layout and matching are rsync's own (see <see cref="MatchFinder"/>); the signature and delta
/// files are ManagedRsync's small self-describing format (see <see cref="SignatureFile"/>). Every stream is read
/// sequentially except the basis given to the patch, which must be seekable. Input files are untrusted: a malformed
/// signature or delta throws <see cref="RsyncException"/> with <see cref="RsyncErrorKind.ProtocolViolation"/>.
/// </summary>
/// <example>
/// <code>
/// using var basis = File.OpenRead("old.img");
/// var signature = DeltaEngine.CreateSignature(basis);
/// using (var newFile = File.OpenRead("new.img"))
/// using (var delta = File.Create("img.delta"))
///     DeltaEngine.WriteDelta(signature, newFile, delta);
/// basis.Position = 0;
/// using (var delta = File.OpenRead("img.delta"))
/// using (var output = File.Create("rebuilt.img"))
///     DeltaEngine.ApplyDelta(basis, delta, output);
/// </code>
/// </example>
public static class DeltaEngine
{
    /// <summary>
    /// Computes the signature of <paramref name="basis"/> from its current position to its end. A seekable basis gets
    /// rsync's block length for its size; otherwise <see cref="DeltaOptions.StreamingBlockLength"/> unless set.
    /// </summary>
    public static Signature CreateSignature(Stream basis, DeltaOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        options ??= new DeltaOptions();
        var variant = options.Variant;
        var strong = BlockChecksum.Create(variant, 0);
        if (!basis.CanSeek)
            return CreateStreamingSignature(basis, options, strong, cancellationToken);
        var header = options.LayoutFor(basis.Length - basis.Position, variant);
        return Signature.Compute(basis, header, strong, options.Progress, cancellationToken);
    }

    /// <summary>Asynchronous form of <see cref="CreateSignature"/>, for a seekable basis.</summary>
    public static Task<Signature> CreateSignatureAsync(Stream basis, DeltaOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        options ??= new DeltaOptions();
        if (!basis.CanSeek)
            return Task.Run(() => CreateSignature(basis, options, cancellationToken), cancellationToken);
        var variant = options.Variant;
        var header = options.LayoutFor(basis.Length - basis.Position, variant);
        return Signature.ComputeAsync(basis, header, BlockChecksum.Create(variant, 0), options.Progress, cancellationToken);
    }

    /// <summary>Computes the signature of <paramref name="basis"/> and writes it to <paramref name="signatureOutput"/>.</summary>
    public static void WriteSignature(Stream basis, Stream signatureOutput, DeltaOptions? options = null, CancellationToken cancellationToken = default) =>
        SignatureFile.Write(CreateSignature(basis, options, cancellationToken), signatureOutput);

    /// <summary>Asynchronous form of <see cref="WriteSignature"/>.</summary>
    public static async Task WriteSignatureAsync(Stream basis, Stream signatureOutput, DeltaOptions? options = null, CancellationToken cancellationToken = default)
    {
        var signature = await CreateSignatureAsync(basis, options, cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        SignatureFile.Write(signature, buffer);
        buffer.Position = 0;
        await buffer.CopyToAsync(signatureOutput, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a signature file (validated; see <see cref="SignatureFile.Read"/>).</summary>
    public static Signature ReadSignature(Stream signatureInput) => SignatureFile.Read(signatureInput);

    /// <summary>
    /// Writes the delta of <paramref name="newFile"/> (from its position to its end) against
    /// <paramref name="signature"/> to <paramref name="deltaOutput"/>. Memory stays at the signature plus a window of
    /// a few hundred KiB, whatever the file size. <see cref="DeltaOptions.Progress"/> is the only option used.
    /// </summary>
    public static void WriteDelta(Signature signature, Stream newFile, Stream deltaOutput, DeltaOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var (finder, writer, sum) = StartDelta(signature, newFile, deltaOutput, options);
        using (sum)
        {
            int n;
            do
            {
                cancellationToken.ThrowIfCancellationRequested();
                n = newFile.Read(finder.GetBuffer().Span);
                finder.Advance(n);
                if (n == 0)
                    writer.WriteFileSum(sum);
                deltaOutput.Write(writer.Pending.Span);
                writer.ClearPending();
            } while (n > 0);
        }
    }

    /// <summary>Asynchronous form of <see cref="WriteDelta(Signature, Stream, Stream, DeltaOptions?, CancellationToken)"/>: reads and writes asynchronously, matches in between.</summary>
    public static async Task WriteDeltaAsync(Signature signature, Stream newFile, Stream deltaOutput, DeltaOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var (finder, writer, sum) = StartDelta(signature, newFile, deltaOutput, options);
        using (sum)
        {
            int n;
            do
            {
                n = await newFile.ReadAsync(finder.GetBuffer(), cancellationToken).ConfigureAwait(false);
                finder.Advance(n);
                if (n == 0)
                    writer.WriteFileSum(sum);
                await deltaOutput.WriteAsync(writer.Pending, cancellationToken).ConfigureAwait(false);
                writer.ClearPending();
            } while (n > 0);
        }
    }

    /// <summary>Reads a signature file and writes the delta of <paramref name="newFile"/> against it.</summary>
    public static void WriteDelta(Stream signatureInput, Stream newFile, Stream deltaOutput, DeltaOptions? options = null,
        CancellationToken cancellationToken = default) =>
        WriteDelta(SignatureFile.Read(signatureInput), newFile, deltaOutput, options, cancellationToken);

    private static (MatchFinder, DeltaFileWriter, FileChecksum) StartDelta(Signature signature, Stream newFile, Stream deltaOutput, DeltaOptions? options)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(newFile);
        ArgumentNullException.ThrowIfNull(deltaOutput);
        var finder = new MatchFinder(signature, BlockChecksum.Create(signature.Variant, signature.Seed));
        var writer = new DeltaFileWriter(signature);
        var sum = FileChecksum.CreateTransferSum(signature.Variant, signature.Seed);
        finder.Begin(writer, sum, options?.Progress);
        return (finder, writer, sum);
    }

    /// <summary>
    /// Rebuilds the new file into <paramref name="output"/> from <paramref name="basis"/> (seekable; the file the
    /// signature was made of) and <paramref name="deltaInput"/>, then checks the whole-file sum the delta carries.
    /// Throws <see cref="RsyncException"/> (protocol violation) for a malformed delta, a block index beyond the basis,
    /// or a sum mismatch (the basis is not the one the signature was made of). Returns the bytes written.
    /// </summary>
    public static long ApplyDelta(Stream basis, Stream deltaInput, Stream output, DeltaOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deltaInput);
        var reader = new DeltaFileReader(deltaInput);
        using var sum = FileChecksum.CreateTransferSum(reader.Variant, reader.Seed);
        long written = DeltaPatcher.Apply(basis, reader.Header, reader, output, sum, options?.Progress, cancellationToken);
        Span<byte> expected = stackalloc byte[sum.DigestLength];
        Span<byte> actual = stackalloc byte[sum.DigestLength];
        reader.ReadFileSum(expected);
        sum.GetDigestAndReset(actual);
        if (!expected.SequenceEqual(actual))
            throw DeltaFileFormat.Invalid("the rebuilt file's checksum differs from the delta's: wrong basis?");
        return written;
    }

    /// <summary>
    /// Asynchronous form of <see cref="ApplyDelta"/>. The token parser and the basis copy are synchronous, so this
    /// runs them off the caller's thread.
    /// </summary>
    public static Task<long> ApplyDeltaAsync(Stream basis, Stream deltaInput, Stream output, DeltaOptions? options = null,
        CancellationToken cancellationToken = default) =>
        Task.Run(() => ApplyDelta(basis, deltaInput, output, options, cancellationToken), cancellationToken);

    private static Signature CreateStreamingSignature(Stream basis, DeltaOptions options, BlockChecksum strong, CancellationToken cancellationToken)
    {
        // The length is unknown until the end, so the sums are collected first and the header made afterwards.
        int blength = options.BlockLength > 0 ? options.BlockLength : DeltaOptions.StreamingBlockLength;
        int strongLength = options.StrongLengthFor(strong.Variant);
        var weak = new List<uint>();
        using var strongSums = new MemoryStream();
        var block = new byte[blength];
        var digest = new byte[ChecksumNames.MaxDigestLength];
        long length = 0;
        int last = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int n = basis.ReadAtLeast(block, blength, throwOnEndOfStream: false);
            if (n == 0)
                break;
            weak.Add(RollingChecksum.Compute(block.AsSpan(0, n)));
            strong.Compute(block.AsSpan(0, n), digest);
            strongSums.Write(digest, 0, strongLength);
            length += n;
            last = n;
            options.Progress?.Report(length);
            if (n < blength)
                break;
        }
        var header = new SumHeader(weak.Count, blength, strongLength, last == blength ? 0 : last);
        var signature = new Signature(header, strong.Variant, strong.Seed);
        var all = strongSums.GetBuffer();
        for (int i = 0; i < weak.Count; i++)
            signature.Add(weak[i], all.AsSpan(i * strongLength, strongLength));
        return signature;
    }
}
