using ManagedRsync.Session;
using ManagedRsync.Tests.Support;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// A sending server's read of a pulling client's --files-from names (flist.c: send_file_list reading what io.c:
/// forward_filesfrom_data sends): NUL-ended names up to an empty one, in whatever pieces they come; a list over the
/// bound ends the session with exit 12, one cut off before its end is a lost connection.
/// </summary>
public sealed class FilesFromGuardTests
{
    private static async Task<byte[]> ReadAsync(byte[] clientSends, int maxBytes = Connection.MaxFilesFromBytes, bool close = false)
    {
        (Stream serverEnd, Stream clientEnd) = LocalPipe.Create();
        await using var connection = new Connection(serverEnd, isServer: true, new RecordingLog());
        Task writing = Task.Run(async () =>
        {
            try
            {
                // In pieces, as a client forwards what it reads.
                for (int i = 0; i < clientSends.Length; i += 3)
                {
                    await clientEnd.WriteAsync(clientSends.AsMemory(i, Math.Min(3, clientSends.Length - i)));
                    await clientEnd.FlushAsync();
                }
                if (close)
                    await clientEnd.DisposeAsync();
            }
            catch (IOException)
            {
                // The server stopped reading at the guard.
            }
        });
        try
        {
            return await connection.ReadFilesFromAsync(maxBytes, default).WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            await writing;
            await clientEnd.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("\0", "")]
    [InlineData("\0\0", "")]
    [InlineData("a\0\0", "a\0")]
    [InlineData("one.txt\0d/y\0\0rest", "one.txt\0d/y\0")]
    [InlineData("#x\0../up\0\0", "#x\0../up\0")]
    public async Task The_names_end_at_an_empty_one(string sent, string names) =>
        Assert.Equal(names, System.Text.Encoding.UTF8.GetString(await ReadAsync(System.Text.Encoding.UTF8.GetBytes(sent))));

    [Fact]
    public async Task A_list_over_the_bound_is_a_protocol_error()
    {
        byte[] sent = [.. Enumerable.Repeat((byte)'x', 100), 0, .. Enumerable.Repeat((byte)'y', 100), 0, 0];
        var e = await Assert.ThrowsAsync<RsyncException>(() => ReadAsync(sent, maxBytes: 150));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("a --files-from list of more than 150 bytes", e.Message);
        Assert.Equal(202, (await ReadAsync(sent, maxBytes: 202)).Length);
    }

    [Fact]
    public async Task A_list_cut_off_before_its_end_is_a_lost_connection()
    {
        var e = await Assert.ThrowsAsync<RsyncException>(() => ReadAsync("a\0b"u8.ToArray(), close: true));
        Assert.True(e.IsConnectionLoss, e.ToString());
    }
}
