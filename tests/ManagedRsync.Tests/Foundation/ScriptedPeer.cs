using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedRsync.Tests.Foundation;

/// <summary>A fake daemon on a loopback port that plays one scripted connection, for hostile and odd peers.</summary>
internal sealed class ScriptedPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Task _run;

    public ScriptedPeer(Func<Connection, Task> script, IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        _run = Task.Run(async () =>
        {
            using var client = await _listener.AcceptTcpClientAsync();
            await script(new Connection(client.GetStream()));
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Waits for the script to finish, surfacing its assertion failures.</summary>
    public Task Completion => _run;

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException)
        {
            // The client under test may close first; the script's own checks are awaited through Completion.
        }
    }

    internal sealed class Connection(NetworkStream stream)
    {
        public NetworkStream Stream { get; } = stream;

        public Task SendAsync(string text) => Stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

        /// <summary>Reads up to and including <paramref name="terminator"/>, returned without it.</summary>
        public async Task<string> ReadUntilAsync(char terminator = '\n')
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (await Stream.ReadAsync(one) == 1)
            {
                if (one[0] == terminator)
                {
                    return Encoding.UTF8.GetString(bytes.ToArray());
                }
                bytes.Add(one[0]);
            }
            throw new EndOfStreamException("client closed: " + Encoding.UTF8.GetString(bytes.ToArray()));
        }
    }
}
