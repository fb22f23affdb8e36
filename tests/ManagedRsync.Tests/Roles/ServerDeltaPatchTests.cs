using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// A receiving server rebuilding files against their old copies (ReceiverRole.Patch.cs: matched blocks read from the
/// basis straight into the writer's buffer, read ahead while the blocks follow one another): edits at the start, in the
/// middle and at the end, a file grown and one shrunk, blocks moved out of order and one repeated, uncompressed and
/// with zlib (whose decoder must see every matched block), at protocols with and without the sum header's checksum
/// choice.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ServerDeltaPatchTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-patch-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(32, null)]
    [InlineData(32, "zlib")]
    [InlineData(32, "zlibx")]
    [InlineData(30, null)]
    [InlineData(29, null)]
    public async Task Files_are_rebuilt_from_their_old_copies(int protocol, string? compression)
    {
        var rng = new Random(protocol);
        byte[] old = new byte[3 * 1024 * 1024 + 777];
        rng.NextBytes(old);
        var files = new Dictionary<string, (byte[] Old, byte[] New)>
        {
            ["edited"] = (old, Edited(old, rng, [0, 1_000_000, old.Length - 10])),
            ["grown"] = (old, [.. old, .. Enumerable.Repeat((byte)7, 100_000)]),
            ["shrunk"] = (old, old[..(old.Length / 3)]),
            // Its second megabyte first, then the first twice, then the rest: matches out of order and repeated.
            ["moved"] = (old, [.. old[(1 << 20)..(2 << 20)], .. old[..(1 << 20)], .. old[..(1 << 20)], .. old[(2 << 20)..]]),
            ["same"] = (old, old),
        };
        string src = Path.Combine(_root, "src"), dest = Path.Combine(_root, "dest");
        Directory.CreateDirectory(src);
        Directory.CreateDirectory(dest);
        foreach (var (name, (before, after)) in files)
        {
            File.WriteAllBytes(Path.Combine(dest, name), before);
            File.SetLastWriteTimeUtc(Path.Combine(dest, name), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
            File.WriteAllBytes(Path.Combine(src, name), after);
        }
        var options = TransferOptions.Archive with
        {
            Protocol = protocol,
            WholeFile = false,
            Compress = compression is not null,
            CompressChoice = compression,
        };

        var (sent, _) = await PipeTransfer.RunAsync(src, dest, options, serverSends: false);

        Assert.Equal(RsyncExitCode.Ok, sent.ExitCode);
        foreach (var (name, (_, after)) in files)
            Assert.True(after.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(dest, name))), $"{name} was not rebuilt");
        // The old copies were the basis: most of the data was matched, not sent.
        Assert.True(sent.Stats.MatchedData > 4 * old.Length, $"matched {sent.Stats.MatchedData} bytes");
    }

    private static byte[] Edited(byte[] data, Random rng, int[] at)
    {
        byte[] copy = (byte[])data.Clone();
        foreach (int i in at)
            rng.NextBytes(copy.AsSpan(i, Math.Min(4096, copy.Length - i)));
        return copy;
    }
}
