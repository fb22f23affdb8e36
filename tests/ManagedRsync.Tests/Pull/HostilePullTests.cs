using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// mrsync pulling from a scripted hostile daemon: each crafted stream must end the pull with rsync's exit code, leave
/// nothing outside the destination (the canary neither changed nor opened), no temporary file, and the destination's
/// existing file untouched (<see cref="HostilePull"/>).
/// </summary>
public sealed class HostilePullTests : IDisposable
{
    private readonly HostilePull _pull = new();
    private readonly Sandbox _sandbox;

    public HostilePullTests() => _sandbox = _pull.Sandbox;

    public void Dispose() => _pull.Dispose();

    private Task<RsyncException> PullExpectingFailure(HostileDaemon daemon, string path = "", TransferOptions? options = null) =>
        _pull.ExpectFailureAsync(daemon, path, options);

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
        Assert.Equal("file-list name \"d/canary\" lies below \"d\", which is not a directory", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_sandbox.Destination, "d")));
    }

    // A name listed twice is cleared as stock's receiver clears it (flist.c: flist_sort_and_clean: a directory over a
    // non-directory, else the first): the list is taken, the other copy never acted on. The scripted daemon hangs up
    // after its list, which ends the pull; by then the directory stands and nothing else was made.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_name_listed_twice_is_cleared_and_its_other_copy_never_made(bool symlinkFirst)
    {
        var e = await PullExpectingFailure(Listing(l =>
        {
            l.Add(".", HostileFileList.Directory);
            if (symlinkFirst)
                l.Add("d", HostileFileList.Symlink, 10, _sandbox.Outside);
            l.Add("d", HostileFileList.Directory);
            if (!symlinkFirst)
                l.Add("d", HostileFileList.Symlink, 10, _sandbox.Outside);
            l.End();
        }));
        Assert.DoesNotContain("duplicate", e.Message);
        string d = Path.Combine(_sandbox.Destination, "d");
        Assert.False(new FileInfo(d).LinkTarget is not null, "the cleared symlink was made");
    }

    [Fact]
    public async Task A_transfer_of_a_cleared_duplicate_is_refused()
    {
        // Index 1 is the second "f" (fsort is stable; the first is kept): receiver.c recv_files refuses its use.
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("f", HostileFileList.Regular, 1).Add("f", HostileFileList.Regular, 1).End()
            .Index(new NdxCodec(32), 2).Raw([0x00, 0x80])));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("refusing transfer of cleared file index 2", e.Message);
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
        Assert.Equal("file-list name overflow: shared 0 of 1, new 1073741824 bytes", e.Message);
    }

    [Fact]
    public async Task OversizedSymlinkLengthIsRefusedBeforeAllocating()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("l"u8.ToArray(), HostileFileList.Symlink, 1, "t"u8.ToArray(), declaredLinkLength: 1 << 30)));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("symlink target length 1073741824 out of range", e.Message);
    }

    [Fact]
    public async Task TruncatedFileListEndsWithStreamError()
    {
        var e = await PullExpectingFailure(Listing(l => l.Add(".", HostileFileList.Directory).Raw([0x02, 0x05, (byte)'a'])));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("connection unexpectedly closed by the peer", e.Message);
    }

    [Fact]
    public async Task A_daemon_silent_in_the_middle_of_the_list_times_out()
    {
        // The pull's input is read by the reader's own thread (poll(2) with --timeout as its timeout): stock's client
        // says "[generator] io timeout after 1 seconds -- exiting" (io.c: check_timeout) and exits 30.
        var daemon = HostileDaemon.SendingFileList(l => l.Add(".", HostileFileList.Directory).Raw([0x02, 0x05, (byte)'a']),
            (_, ct) => Task.Delay(Timeout.Infinite, ct));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = await PullExpectingFailure(daemon, options: TransferOptions.Archive with { Timeout = 1 });
        Assert.Equal(RsyncExitCode.Timeout, e.ExitCode);
        Assert.Equal("[generator] io timeout after 1 seconds -- exiting", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.9, 20);
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
        Assert.Equal("connection unexpectedly closed by the peer", e.Message);
    }

    private static HostileDaemon AnsweringRequest(Func<HostileSession, ArrayBufferWriter<byte>, Task> answer) =>
        HostilePull.AnsweringRequest(answer);

    private static byte[] EchoedHeader() => HostilePull.EchoedHeader();

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
        Assert.Equal("sum header for \"existing.txt\" does not match the one we sent", e.Message);
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
        Assert.Equal("token stream: block 5000 does not exist (the file has 1 blocks)", e.Message);
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
        Assert.Equal("token stream: the file's literal data exceeds what the file may hold", e.Message);
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
        Assert.Equal("connection unexpectedly closed by the peer", e.Message);
    }
}
