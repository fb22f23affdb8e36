using ManagedRsync.Session;
using ManagedRsync.Tests.Support;
using ManagedRsync.Transports;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// compat.c: setup_protocol — a server sends the --checksum-seed it was given (a local copy's server half has the
/// client's options), else one of its own choosing; both sides then use the seed the server sent.
/// </summary>
public sealed class ChecksumSeedSetupTests
{
    [Theory]
    [InlineData(12345)]
    [InlineData(-7)]
    public async Task The_server_sends_the_given_seed(int seed)
    {
        (int client, int server) = await SetUpAsync(TransferOptions.Archive with { ChecksumSeed = seed });
        Assert.Equal((seed, seed), (client, server));
    }

    [Fact]
    public async Task Without_one_both_sides_take_the_servers_own()
    {
        (int client, int server) = await SetUpAsync(TransferOptions.Archive);
        Assert.Equal(server, client);
    }

    private static async Task<(int Client, int Server)> SetUpAsync(TransferOptions options)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        await using var serverConnection = new Connection(serverEnd, isServer: true, new RecordingLog());
        await using var clientConnection = new Connection(clientEnd, isServer: false, new RecordingLog());
        Task server = serverConnection.SetupServerAsync(options, ServerArguments.Capabilities, default);
        Task client = clientConnection.SetupClientAsync(knownProtocol: null, options, weSend: true, default);
        await Task.WhenAll(server, client).WaitAsync(TimeSpan.FromSeconds(120));
        return (clientConnection.Parameters.ChecksumSeed, serverConnection.Parameters.ChecksumSeed);
    }
}
