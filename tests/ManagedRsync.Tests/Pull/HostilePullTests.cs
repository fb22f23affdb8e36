using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ManagedRsync.Daemon;
using ManagedRsync.Protocol;
using ManagedRsync.Transfer;
using ManagedRsync.Transfer.Receive;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// mrsync pulling from a scripted hostile daemon: each crafted stream must end the pull with rsync's exit code, leave
/// nothing outside the destination (the canary), no temporary file, and the destination's existing file untouched.
/// </summary>
public sealed class HostilePullTests : IDisposable
{
    private const string ExistingContent = "existing file: must survive a failed pull";
    private readonly Sandbox _sandbox = new();

    public HostilePullTests() => File.WriteAllText(ExistingPath, ExistingContent);

    private string ExistingPath => Path.Combine(_sandbox.Destination, "existing.txt");

    public void Dispose() => _sandbox.Dispose();

    private async Task<RsyncException> PullExpectingFailure(HostileDaemon daemon, string path = "", TransferOptions? options = null)
    {
        await using (daemon)
        {
            var request = new PullRequest
            {
                Source = DaemonAddress.Parse($"rsync://127.0.0.1:{daemon.Port}/m/{path}"),
                Destination = _sandbox.Destination,
                Options = options ?? TransferOptions.Archive,
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var e = await Assert.ThrowsAsync<RsyncException>(() => PullClient.PullAsync(request, ct: timeout.Token));
            AssertNothingEscaped();
            return e;
        }
    }

    private void AssertNothingEscaped()
    {
        _sandbox.AssertOutsideUntouched();
        _sandbox.AssertNoTempFiles();
        Assert.Equal(ExistingContent, File.ReadAllText(ExistingPath));
    }

    private static HostileDaemon Listing(Action<HostileFileList> build) => HostileDaemon.SendingFileList(build);

    [Theory]
    [InlineData("../outside/evil")]
    [InlineData("dir/../../outside/evil")]
    [InlineData("/tmp/evil-absolute")]
    [InlineData("a//b")]
    public async Task UnsafeNameEndsWithExitCode4(string name)
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory).Add(name, HostileFileList.Regular, 5).End()));
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
        Assert.Contains("unsafe pathname", e.Message);
    }

    [Fact]
    public async Task SymlinkToOutsideFollowedByEntryBelowItIsRefused()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("d", HostileFileList.Symlink, 10, _sandbox.Outside)
            .Add("d/canary", HostileFileList.Regular, 5).End()));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_sandbox.Destination, "d")));
    }

    [Fact]
    public async Task DuplicateDirectoryIsRefused()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("d", HostileFileList.Directory).Add("d/x", HostileFileList.Regular, 1).Add("d", HostileFileList.Directory).End()));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("duplicate", e.Message);
    }

    [Fact]
    public async Task DirectoryThenSymlinkOfTheSameNameIsRefused()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("d", HostileFileList.Directory).Add("d", HostileFileList.Symlink, 10, _sandbox.Outside).End()));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task UnrequestedTopLevelNameEndsWithExitCode4()
    {
        var e = await PullExpectingFailure(
            Listing(l => l.Add("asked", HostileFileList.Directory).Add("volunteered", HostileFileList.Regular, 5).End()), "asked");
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
        Assert.Contains("unrequested", e.Message);
    }

    [Fact]
    public async Task OversizedNameLengthIsRefusedBeforeAllocating()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("x"u8.ToArray(), HostileFileList.Regular, 1, null, declaredNameLength: 1 << 30)));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("overflow", e.Message);
    }

    [Fact]
    public async Task OversizedSymlinkLengthIsRefusedBeforeAllocating()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("l"u8.ToArray(), HostileFileList.Symlink, 1, "t"u8.ToArray(), declaredLinkLength: 1 << 30)));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task TruncatedFileListEndsWithStreamError()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory).Raw([0x02, 0x05, (byte)'a'])));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task FloodOfKeepAlivesThenHangUpEndsCleanly()
    {
        var daemon = new HostileDaemon(async (s, ct) =>
        {
            await s.HandshakeAsync(ct);
            var frames = new byte[4 * 50_000];
            for (int i = 0; i < 50_000; i++)
                BinaryPrimitives.WriteUInt32LittleEndian(frames.AsSpan(i * 4), (uint)(MultiplexReader.MplexBase + (int)MessageCode.Noop) << 24);
            await s.WriteRawAsync(frames, ct);
        });
        var e = await PullExpectingFailure(daemon);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    // The file list offers "existing.txt" with new content; the script answers the client's request with crafted data.
    private HostileDaemon AnsweringRequest(Func<HostileSession, ArrayBufferWriter<byte>, Task> answer) =>
        HostileDaemon.SendingFileList(
            l => l.Add(".", HostileFileList.Directory).Add("existing.txt", HostileFileList.Regular, 50).End(),
            async (s, ct) =>
            {
                // The client's request: ndx 1 (one byte), item flags, and the 16-byte sum header of its basis with sums.
                byte[] request = await s.ReadDataAsync(1 + 2 + 16, ct);
                int count = BinaryPrimitives.ReadInt32LittleEndian(request.AsSpan(3));
                int strong = BinaryPrimitives.ReadInt32LittleEndian(request.AsSpan(11));
                await s.ReadDataAsync(count * (4 + strong), ct);
                var reply = new ArrayBufferWriter<byte>();
                reply.Write(request.AsSpan(0, 3));
                await answer(s, reply);
                await s.SendDataAsync(reply.WrittenMemory, ct);
            });

    [Fact]
    public async Task SumHeaderThatLiesAboutTheBasisIsRefused()
    {
        var e = await PullExpectingFailure(AnsweringRequest((s, reply) =>
        {
            reply.WriteInt32(1000);  // 1000 blocks we never described
            reply.WriteInt32(700);
            reply.WriteInt32(2);
            reply.WriteInt32(0);
            return Task.CompletedTask;
        }));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("sum header", e.Message);
    }

    [Fact]
    public async Task BlockMatchBeyondTheBasisIsRefused()
    {
        var e = await PullExpectingFailure(AnsweringRequest((s, reply) =>
        {
            reply.Write(EchoedHeader());
            reply.WriteInt32(-(5_000 + 1)); // match of block 5000
            return Task.CompletedTask;
        }));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("5000", e.Message);
    }

    [Fact]
    public async Task LiteralFarBeyondTheListedSizeIsRefused()
    {
        var e = await PullExpectingFailure(AnsweringRequest((s, reply) =>
        {
            reply.Write(EchoedHeader());
            reply.WriteInt32(int.MaxValue); // announces 2 GiB of literal data for a 50-byte file
            reply.Write(new byte[64 * 1024]);
            return Task.CompletedTask;
        }));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.DoesNotContain("sum header", e.Message);
    }

    [Fact]
    public async Task TruncatedTokenStreamLeavesTheOldFile()
    {
        var e = await PullExpectingFailure(AnsweringRequest((s, reply) =>
        {
            reply.Write(EchoedHeader());
            reply.WriteInt32(50);
            reply.Write(Encoding.ASCII.GetBytes("only part of the new content"));
            return Task.CompletedTask;
        }));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    // A zlib token stream (-z) whose literal data inflates to 1 GiB for a file listed at 50 bytes: the receiver must
    // stop at the file's budget (its size plus the growth allowance) with a protocol error, never hold the inflated
    // data in memory, and leave the old file and no temp file. The allocation bound is far below the bomb's size,
    // so a decoder that buffered the output (or a writer that kept it) could not pass.
    [Fact]
    public async Task DeflateBombIsStoppedAtTheFileBudgetWithBoundedMemory()
    {
        byte[] bomb = DeflateBomb(mebibytes: 1024);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var e = await PullExpectingFailure(AnsweringRequest((s, reply) =>
        {
            Assert.True(s.Compress, "the client asked for -z");
            reply.Write(EchoedHeader());
            for (int i = 0; i < bomb.Length; i += 16383)
            {
                int n = Math.Min(16383, bomb.Length - i);
                reply.Write([(byte)(0x40 | (n >> 8)), (byte)n]); // DEFLATED_DATA (rsync token.c)
                reply.Write(bomb.AsSpan(i, n));
            }
            reply.Write([(byte)0]); // END_FLAG
            return Task.CompletedTask;
        }), options: TransferOptions.Archive with { Compress = true });
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("exceeds what the file may hold", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 256 << 20, $"{allocated:N0} bytes allocated while refusing a 1 GiB deflate bomb");
    }

    /// <summary>
    /// Raw deflate of <paramref name="mebibytes"/> MiB of zeros, built from one sync-flushed MiB repeated (each further
    /// MiB of zeros compresses to the same bytes), without the final sync-flush marker, which rsync's sender strips.
    /// </summary>
    private static byte[] DeflateBomb(int mebibytes)
    {
        var zeros = new byte[1 << 20];
        var compressed = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(zeros);
            deflate.Flush();
            int first = (int)compressed.Length;
            deflate.Write(zeros);
            deflate.Flush();
            int second = (int)compressed.Length;
            deflate.Write(zeros);
            deflate.Flush();
            byte[] all = compressed.ToArray();
            byte[] repeated = all[first..second];
            Assert.Equal(repeated, all[second..]);
            var bomb = new List<byte>(all.Length + (mebibytes - 3) * repeated.Length);
            bomb.AddRange(all);
            for (int i = 3; i < mebibytes; i++)
                bomb.AddRange(repeated);
            return bomb.ToArray()[..^4];
        }
    }

    // Our basis "existing.txt" (41 bytes) is one block of 700 with a remainder of 41 and 2-byte strong sums.
    private static byte[] EchoedHeader()
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header, 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 700);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), ExistingContent.Length);
        return header;
    }
}
