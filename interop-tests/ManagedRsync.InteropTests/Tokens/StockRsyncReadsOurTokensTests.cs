using System.Buffers.Binary;
using System.Security.Cryptography;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Tests.Tokens;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Tokens;

/// <summary>
/// Stock rsync decodes the token streams our encoders write. A batch file (<c>--write-batch</c>) holds the exact
/// stream the receiver reads, token stream included (rsync io.c: write_batch_monitor_in); the test has stock rsync
/// write one for a delta, replaces its token stream with ours for the same delta, and lets stock rsync
/// <c>--read-batch</c> it onto the basis: rsync must rebuild the new file and accept its whole-file MD5.
/// </summary>
public class StockRsyncReadsOurTokensTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        // A batch is always written with an "old-style choice": zlib (rsync compat.c: getenv_nstr), so zlibx, zstd and
        // lz4 cannot be checked this way; their streams are checked against stock rsync on the wire by the push tests.
        foreach (var codec in new[] { "zlib", "none" })
            foreach (var protocol in new[] { 30, 31, 32 })
                foreach (var scenario in new[] { "small-blocks", "long-blocks" })
                    data.Add(codec, protocol, scenario);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StockRsyncRebuildsTheFileFromOurTokenStream(string codecName, int protocol, string scenario)
    {
        var rsync = ToolProcess.FindOnPath("rsync")
            ?? throw new InvalidOperationException("stock rsync is not installed (not on PATH): this test has stock rsync read our token streams");
        Assert.True(TokenCodecNames.TryParse(codecName, out var codec));
        var (basis, wanted, blockLength) = Files(scenario);
        var dir = Directory.CreateTempSubdirectory("mrsync-tokens-");
        try
        {
            var src = Path.Combine(dir.FullName, "src");
            var dst = Path.Combine(dir.FullName, "dst");
            Directory.CreateDirectory(src);
            Directory.CreateDirectory(dst);
            File.WriteAllBytes(Path.Combine(src, "f"), wanted);
            File.WriteAllBytes(Path.Combine(dst, "f"), basis);
            var batch = Path.Combine(dir.FullName, "batch");
            List<string> options = ["-I", "--no-whole-file", $"--protocol={protocol}", "--checksum-choice=md5", $"--block-size={blockLength}"];
            if (codec != TokenCodec.None)
                options.AddRange(["-z", $"--compress-choice={codecName}"]);

            var write = await ToolProcess.RunAsync(rsync, [.. options, $"--write-batch={batch}", Path.Combine(src, "f"), Path.Combine(dst, "f")]);
            Assert.True(write.ExitCode == 0, write.ToString());

            var stock = File.ReadAllBytes(batch);
            var (start, end) = LocateTokenStream(stock, basis.Length, blockLength, wanted);
            var ours = Reencode(codec, protocol, stock[start..end], basis, blockLength);
            // Our zlib is zlib-ng: its bytes differ from rsync's zlib 1.2.13, so this really is our stream being read.
            if (codec == TokenCodec.Zlib)
                Assert.NotEqual(stock[start..end], ours);
            else
                Assert.Equal(stock[start..end], ours);
            File.WriteAllBytes(batch, [.. stock.AsSpan(0, start), .. ours, .. stock.AsSpan(end)]);
            File.WriteAllBytes(Path.Combine(dst, "f"), basis);

            var read = await ToolProcess.RunAsync(rsync, [.. options, $"--read-batch={batch}", Path.Combine(dst, "f")]);

            Assert.True(read.ExitCode == 0, read.ToString());
            Assert.Equal(wanted, File.ReadAllBytes(Path.Combine(dst, "f")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The token stream follows the sender's echo of the sum header (count, block length, strong-sum length,
    /// remainder: rsync sender.c write_sum_head) and is followed by the new file's MD5.
    /// </summary>
    private static (int Start, int End) LocateTokenStream(byte[] batch, int basisLength, int blockLength, byte[] wanted)
    {
        var count = (basisLength + blockLength - 1) / blockLength;
        for (var p = 0; p + 16 <= batch.Length; p++)
        {
            var span = batch.AsSpan(p);
            if (BinaryPrimitives.ReadInt32LittleEndian(span) == count
                && BinaryPrimitives.ReadInt32LittleEndian(span[4..]) == blockLength
                && BinaryPrimitives.ReadInt32LittleEndian(span[8..]) is >= 0 and <= 16
                && BinaryPrimitives.ReadInt32LittleEndian(span[12..]) == basisLength % blockLength)
            {
                var start = p + 16;
                var end = batch.AsSpan(start).IndexOf(MD5.HashData(wanted));
                Assert.True(end > 0, "whole-file MD5 not found after the sum header");
                return (start, start + end);
            }
        }
        throw new InvalidOperationException("sum header not found in the batch file");
    }

    /// <summary>
    /// Reads stock rsync's stream with our decoder and writes the same delta with our encoder, calling it the way
    /// rsync's match finder calls send_token (the literal before a match in one call).
    /// </summary>
    private static byte[] Reencode(TokenCodec codec, int protocol, byte[] stock, byte[] basis, int blockLength)
    {
        using var decoder = TokenCodecFactory.CreateDecoder(codec, protocol, new MemoryStream(stock));
        var output = new MemoryStream();
        using var encoder = TokenCodecFactory.CreateEncoder(codec, protocol, null, output);
        var literal = new MemoryStream();
        while (true)
        {
            var kind = decoder.Read(out var data, out var block);
            if (kind == DeltaTokenKind.Literal)
            {
                literal.Write(data);
                continue;
            }
            if (literal.Length > 0)
                encoder.WriteLiteral(literal.ToArray());
            literal.SetLength(0);
            if (kind == DeltaTokenKind.End)
                break;
            var matched = basis.AsSpan(block * blockLength, Math.Min(blockLength, basis.Length - (block * blockLength)));
            decoder.SeeMatch(matched);
            encoder.WriteMatch(block, matched);
        }
        encoder.Finish();
        return output.ToArray();
    }

    /// <summary>
    /// small-blocks: 2 KiB blocks, edits and literals echoing recent text. long-blocks: 100000-byte blocks (past the
    /// 64 KiB pieces of zlib's history) with literals repeating the start and the end of the block before them, which
    /// only a compressor with the right history (per protocol) may reference.
    /// </summary>
    private static (byte[] Basis, byte[] New, int BlockLength) Files(string scenario)
    {
        var rng = new Random(scenario.Length);
        if (scenario == "small-blocks")
        {
            var basis = SampleText.Generate(rng, 100_000);
            byte[] wanted = [.. basis.AsSpan(0, 20_000), .. SampleText.Generate(rng, 3000), .. basis.AsSpan(18_000, 1500), .. basis.AsSpan(20_000, 50_000),
                .. SampleText.Generate(rng, 5000), .. basis.AsSpan(71_000), .. basis.AsSpan(60_000, 1000), .. SampleText.Generate(rng, 777)];
            return (basis, wanted, 2048);
        }
        var longBasis = SampleText.Generate(rng, 200_000);
        byte[] longWanted = [.. longBasis.AsSpan(0, 100_000), .. SampleText.Generate(rng, 1500), .. longBasis.AsSpan(5000, 4000), .. longBasis.AsSpan(90_000, 4000),
            .. longBasis.AsSpan(100_000), .. SampleText.Generate(rng, 700), .. longBasis.AsSpan(101_000, 3000), .. longBasis.AsSpan(195_000, 3000)];
        return (longBasis, longWanted, 100_000);
    }

}
