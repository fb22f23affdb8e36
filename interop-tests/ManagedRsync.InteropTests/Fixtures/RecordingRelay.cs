using System.Net;
using System.Net.Sockets;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// A TCP relay on 127.0.0.1 for one connection to a daemon, recording what each side sent in the order the relay read
/// it, until both sides have closed. A chunk is recorded before it is passed on, so whatever the daemon sends in
/// answer to a client chunk is recorded after that chunk. What one side sends after the other has gone is recorded
/// too (and dropped): the end of a run is what it is for.
/// </summary>
internal sealed class RecordingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<(bool FromClient, byte[] Bytes)> _chunks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _relaying;

    public RecordingRelay(int daemonPort)
    {
        _listener.Start();
        _relaying = RelayAsync(daemonPort);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The chunks in the order read, once both sides have closed (or after <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<(bool FromClient, byte[] Bytes)>> RecordingAsync(TimeSpan limit)
    {
        await _relaying.WaitAsync(limit);
        lock (_chunks)
            return [.. _chunks];
    }

    private async Task RelayAsync(int daemonPort)
    {
        using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
        using var daemon = new TcpClient();
        await daemon.ConnectAsync(IPAddress.Loopback, daemonPort, _stop.Token);
        await Task.WhenAll(PumpAsync(client, daemon, fromClient: true), PumpAsync(daemon, client, fromClient: false));
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient)
    {
        byte[] buffer = new byte[65536];
        bool passing = true;
        while (true)
        {
            int n;
            try
            {
                n = await from.GetStream().ReadAsync(buffer, _stop.Token);
            }
            catch (IOException)
            {
                n = 0; // a reset ends this direction as a close does
            }
            if (n == 0)
                break;
            lock (_chunks)
                _chunks.Add((fromClient, buffer[..n]));
            if (!passing)
                continue;
            try
            {
                await to.GetStream().WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            }
            catch (IOException)
            {
                passing = false;
            }
        }
        try
        {
            to.Client.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _relaying;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
