using System.Buffers;
using System.Buffers.Binary;
using ManagedRsync.Daemon;
using ManagedRsync.Client;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// One hostile pull: mrsync pulling into a sandbox from a scripted daemon. <see cref="ExpectFailureAsync"/> asserts
/// what every such case must leave behind: nothing outside the destination created, changed, opened or read (the
/// canary is watched by inotify for the whole pull), no temporary file, and the destination's existing file intact.
/// </summary>
internal sealed class HostilePull : IDisposable
{
    public const string ExistingContent = "existing file: must survive a failed pull";
    private readonly Sandbox _sandbox = new();

    public HostilePull() => File.WriteAllText(ExistingPath, ExistingContent);

    public Sandbox Sandbox => _sandbox;

    public string ExistingPath => Path.Combine(_sandbox.Destination, "existing.txt");

    public void Dispose() => _sandbox.Dispose();

    /// <summary>Pulls from <paramref name="daemon"/>, expects it to fail, checks the sandbox, and disposes the daemon (which fails the test if its script broke).</summary>
    public async Task<RsyncException> ExpectFailureAsync(HostileDaemon daemon, string path = "", TransferOptions? options = null)
    {
        RsyncException e;
        await using (daemon)
        {
            using var canary = new CanaryWatch(_sandbox.Outside);
            var request = new PullRequest
            {
                Source = DaemonAddress.Parse($"rsync://127.0.0.1:{daemon.Port}/m/{path}"),
                Destination = _sandbox.Destination,
                Options = options ?? TransferOptions.Archive,
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PullAsync(request, ct: timeout.Token));
            canary.AssertNothingTouched();
        }
        _sandbox.AssertOutsideUntouched();
        _sandbox.AssertNoTempFiles();
        Assert.Equal(ExistingContent, File.ReadAllText(ExistingPath));
        return e;
    }

    /// <summary>
    /// A daemon that lists "existing.txt" with new content, reads the client's request for it (ndx, item flags, the
    /// sum header and sums of its basis), and answers with its index and item flags and whatever
    /// <paramref name="answer"/> writes.
    /// </summary>
    public static HostileDaemon AnsweringRequest(Func<HostileSession, ArrayBufferWriter<byte>, Task> answer, int listedSize = 50) =>
        HostileDaemon.SendingFileList(
            l => l.Add(".", HostileFileList.Directory).Add("existing.txt", HostileFileList.Regular, listedSize).End(),
            async (s, ct) =>
            {
                // Itemized entries without ITEM_TRANSFER (the "." whose time differs) come first, as stock sends them.
                byte[] item = await s.ReadDataAsync(1 + 2, ct);
                while ((BinaryPrimitives.ReadUInt16LittleEndian(item.AsSpan(1)) & 0x8000) == 0)
                    item = await s.ReadDataAsync(1 + 2, ct);
                byte[] request = [.. item, .. await s.ReadDataAsync(16, ct)];
                int count = BinaryPrimitives.ReadInt32LittleEndian(request.AsSpan(3));
                int strong = BinaryPrimitives.ReadInt32LittleEndian(request.AsSpan(11));
                await s.ReadDataAsync(count * (4 + strong), ct);
                var reply = new ArrayBufferWriter<byte>();
                // ndx 1 as the first index this side writes (io.c: write_ndx sends the difference from -1), then the flags.
                reply.Write([(byte)2, request[1], request[2]]);
                await answer(s, reply);
                await s.SendDataAsync(reply.WrittenMemory, ct);
            });

    /// <summary>The sum header the client sends for "existing.txt": one block of 700 with a remainder of 41, 2-byte strong sums.</summary>
    public static byte[] EchoedHeader()
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(header, 1);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 700);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), 2);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), ExistingContent.Length);
        return header;
    }
}
