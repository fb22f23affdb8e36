using System.Buffers.Binary;
using ManagedRsync.Daemon;
using ManagedRsync.Tests.Foundation;
using ManagedRsync.Client;
using ManagedRsync.Tests.Support;
using static ManagedRsync.Tests.Support.MultiplexFrames;

namespace ManagedRsync.Tests.Push;

/// <summary>
/// A scripted daemon that completes the handshake and setup like a 3.5.0 daemon, then answers our file list with
/// crafted generator bytes. Each case must end the push with rsync's exit code and a message: no hang, no crash.
/// </summary>
public sealed class HostileGeneratorTests : IDisposable
{
    private readonly string _src = Directory.CreateTempSubdirectory("mrsync-hostile-").FullName;

    public HostileGeneratorTests()
    {
        File.WriteAllBytes(Path.Combine(_src, "a"), new byte[5000]);
        File.WriteAllText(Path.Combine(_src, "b"), "b");
    }

    public void Dispose() => Directory.Delete(_src, recursive: true);

    private static byte[] Int(int v)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, v);
        return b;
    }

    // Handshake, module OK, args, then compat flags 0x1FE, the daemon's checksum list and a seed (all raw), then
    // whatever the case sends. It drains what we send so that only its own bytes can end the session.
    private async Task<RsyncException> PushAgainst(byte[] generatorBytes, bool hangUpAfter = true, string checksums = "md5 md4",
        bool unlimitedAlloc = false)
    {
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 md5 md4\n");
            await c.ReadUntilAsync();          // client greeting
            await c.ReadUntilAsync();          // module
            await c.SendAsync("@RSYNCD: OK\n");
            while (true)
            {
                string arg = await c.ReadUntilAsync('\0');
                if (arg.Length == 0)
                    break;
            }
            byte[] setup = [0x81, 0xfe, (byte)checksums.Length, .. System.Text.Encoding.ASCII.GetBytes(checksums), .. Int(12345)];
            await c.Stream.WriteAsync(setup);
            var drain = Task.Run(async () =>
            {
                var buffer = new byte[65536];
                try
                {
                    while (await c.Stream.ReadAsync(buffer) > 0)
                    {
                    }
                }
                catch (IOException)
                {
                }
            });
            await Task.Delay(100);
            await c.Stream.WriteAsync(generatorBytes);
            if (hangUpAfter)
                c.Stream.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
            await drain.WaitAsync(TimeSpan.FromSeconds(20));
        });
        var request = new PushRequest
        {
            Sources = [_src + "/"],
            Destination = DaemonAddress.Parse($"rsync://127.0.0.1:{peer.Port}/mod/"),
            Options = TransferOptions.Archive with { Timeout = 20, MaxAllocUnlimited = unlimitedAlloc, MaxAlloc = unlimitedAlloc ? "0" : null },
        };
        return await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PushAsync(request).WaitAsync(TimeSpan.FromSeconds(60)));
    }

    // The sorted list is ".", "a", "b": index 1 is "a". ndx from -1: byte 2 -> index 1.
    private static byte[] Request(int count, int blength, int s2length, int remainder) =>
        Frame(0, [0x02, 0x00, 0x80, .. Int(count), .. Int(blength), .. Int(s2length), .. Int(remainder)]);

    // CVE-2024-12085: a strong-sum length past the negotiated digest (xxh64 has 8 bytes, md5 16) made rsync compare
    // bytes of its stack that the digest never wrote. The header is refused, per checksum, before any sum is read.
    [Theory]
    [InlineData("xxh64", 9, 8)]
    [InlineData("xxh3", 16, 8)]
    [InlineData("md5", 17, 16)]
    [InlineData("xxh128", 17, 16)]
    [InlineData("md4", 17, 16)]
    [InlineData("sha1", 21, 20)]
    public async Task StrongSumLengthPastTheNegotiatedDigestIsRefused(string checksum, int s2length, int digestLength)
    {
        RsyncException e = await PushAgainst(Request(1, 700, s2length, 0), checksums: checksum);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal($"Invalid checksum length {s2length} (digest has {digestLength})", e.Message);
    }

    [Theory]
    [InlineData(-1, 700, 2, 0, "checksum count")]
    [InlineData(1, 1 << 20, 2, 0, "block length")]
    [InlineData(1, 700, 99, 0, "checksum length")]
    [InlineData(1, 700, 2, 800, "remainder")]
    public async Task InconsistentSumHeaderIsAProtocolError(int count, int blength, int s2length, int remainder, string what)
    {
        RsyncException e = await PushAgainst(Request(count, blength, s2length, remainder));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains(what, e.Message, StringComparison.OrdinalIgnoreCase);
    }

    // sender.c: receive_sums under util2.c: my_alloc (protocol-notes 85): at the default --max-alloc a count of
    // 1 GiB / 24 or more fails with stock's line and exit 22 before any sum is read; with --max-alloc=0 the count is
    // taken up to what .NET's arrays hold (Array.MaxLength / s2length), and a count below that sizes nothing by itself:
    // the session ends on the hang-up, not on an allocation the header asked for.
    [Theory]
    [InlineData(44_739_242, false, "[sender] exceeded --max-alloc=1073741824 setting (file=sender.c, line=364)")]
    [InlineData(1 << 30, false, "[sender] exceeded --max-alloc=1073741824 setting (file=sender.c, line=364)")]
    [InlineData(int.MaxValue, true, "[sender] out of memory: my_alloc caller (file=sender.c, line=364)")]
    [InlineData(1 << 29, true, null)]
    public async Task A_sum_count_over_stocks_allocation_limit_is_exit_22(int count, bool unlimited, string? message)
    {
        RsyncException e = await PushAgainst(Request(count, 700, 2, 0), unlimitedAlloc: unlimited);
        if (message is null)
        {
            Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
            return;
        }
        Assert.Equal(RsyncExitCode.Malloc, e.ExitCode);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public async Task IndexOutOfRangeIsAProtocolError()
    {
        RsyncException e = await PushAgainst(Frame(0, [0x50, 0x00, 0x80]));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("Invalid file index: 79 (-1 - 2)", e.Message);
    }

    // rsync sender.c / rsync.c: read_ndx_and_attrs — only a regular file is ever asked for; index 0 is ".".
    [Fact]
    public async Task RequestForADirectoryIsAProtocolError()
    {
        RsyncException e = await PushAgainst(Frame(0, [0x01, 0x00, 0x80]));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("received request to transfer non-regular file: 0", e.Message);
    }

    // Two NDX_DONE end phases 1 and 2 (sender.c: send_files, max_phase 2): a transfer asked for after that is refused.
    [Fact]
    public async Task TransferRequestInPhaseTwoIsAProtocolError()
    {
        RsyncException e = await PushAgainst(Frame(0, [0x00, 0x00, 0x02, 0x00, 0x80]));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("got transfer request in phase 2 for index 1", e.Message);
    }

    // ITEM_XNAME_FOLLOWS without ITEM_TRANSFER (a hard link's leader, hlink.c) with a name length of MAXPATHLEN:
    // io.c read_vstring's bound.
    [Fact]
    public async Task OtherNameOverMaxPathLenIsAProtocolError()
    {
        RsyncException e = await PushAgainst(Frame(0, [0x02, 0x00, 0x10, 0x90, 0x00]));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("xname of 4096 bytes exceeds MAXPATHLEN", e.Message);
    }

    [Fact]
    public async Task UnknownMessageTagIsAProtocolError()
    {
        RsyncException e = await PushAgainst(Frame(77, [1, 2, 3]));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Contains("tag", e.Message);
    }

    [Fact]
    public async Task DroppedMidSumsIsAStreamError()
    {
        // Announces 4 blocks, sends one and a half, hangs up.
        byte[] partial = [.. Request(4, 700, 2, 0), .. Frame(0, [1, 2, 3, 4, 5, 6, 7, 8, 9])];
        RsyncException e = await PushAgainst(partial);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Fact]
    public async Task DaemonErrorExitEndsTheSessionWithItsCode()
    {
        byte[] bytes = [.. Frame(3, "rsync: [receiver] something broke\n"u8), .. Frame(86, Int(11))];
        RsyncException e = await PushAgainst(bytes);
        Assert.Equal(RsyncExitCode.FileIo, e.ExitCode);
    }

    [Fact]
    public async Task SilentDaemonTimesOut()
    {
        // Nothing after the setup, connection kept open: --timeout ends it with exit 30.
        await using var peer = new ScriptedPeer(async c =>
        {
            await c.SendAsync("@RSYNCD: 32.0 md5 md4\n");
            await c.ReadUntilAsync();
            await c.ReadUntilAsync();
            await c.SendAsync("@RSYNCD: OK\n");
            while ((await c.ReadUntilAsync('\0')).Length > 0)
            {
            }
            await c.Stream.WriteAsync((byte[])[0x81, 0xfe, 0x07, .. "md5 md4"u8, .. Int(1)]);
            var buffer = new byte[65536];
            while (await c.Stream.ReadAsync(buffer) > 0)
            {
            }
        });
        var request = new PushRequest
        {
            Sources = [_src + "/"],
            Destination = DaemonAddress.Parse($"rsync://127.0.0.1:{peer.Port}/mod/"),
            Options = TransferOptions.Archive with { Timeout = 1 },
        };
        RsyncException e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PushAsync(request).WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(RsyncExitCode.Timeout, e.ExitCode);
    }
}
