using System.Net;
using System.Net.Sockets;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// A TCP proxy on 127.0.0.1 between a watcher and a daemon that can cut the network or stall it: <see cref="CutAfter"/>
/// resets every connection once that many more bytes went from client to daemon (a cable pulled mid-push),
/// <see cref="Stall"/> stops forwarding in both directions while keeping the connections open (a daemon or network
/// that hangs), <see cref="Resume"/> forwards again.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;
    private readonly Lock _lock = new();
    private TaskCompletionSource _flowing = NewOpenGate();
    private long _cutBudget = long.MaxValue;

    public FaultProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections reset by <see cref="CutAfter"/> so far.</summary>
    public int Cuts { get; private set; }

    /// <summary>Client bytes forwarded so far.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    private long _forwarded;

    /// <summary>Resets every open connection once <paramref name="bytes"/> more bytes went from client to daemon (once).</summary>
    public void CutAfter(long bytes) => Interlocked.Exchange(ref _cutBudget, bytes);

    /// <summary>Stops forwarding; connections stay open, data waits.</summary>
    public void Stall()
    {
        lock (_lock)
        {
            if (_flowing.Task.IsCompleted)
                _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Forwards again.</summary>
    public void Resume()
    {
        lock (_lock)
            _flowing.TrySetResult();
    }

    private static TaskCompletionSource NewOpenGate()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    private Task Flowing()
    {
        lock (_lock)
            return _flowing.Task;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        var daemon = new TcpClient();
        lock (_lock)
        {
            _open.Add(client);
            _open.Add(daemon);
        }
        try
        {
            await daemon.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            await Task.WhenAny(PumpAsync(client, daemon, upstream: true), PumpAsync(daemon, client, upstream: false));
        }
        catch (Exception) // the far side went away: end both
        {
        }
        finally
        {
            Close(client, reset: false);
            Close(daemon, reset: false);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool upstream)
    {
        byte[] buffer = new byte[16384];
        NetworkStream input = from.GetStream(), output = to.GetStream();
        while (true)
        {
            int n = await input.ReadAsync(buffer, _stop.Token);
            if (n == 0)
            {
                to.Client.Shutdown(SocketShutdown.Send);
                return;
            }
            await Flowing().WaitAsync(_stop.Token);
            if (upstream)
            {
                Interlocked.Add(ref _forwarded, n);
                if (Interlocked.Add(ref _cutBudget, -n) < 0)
                {
                    Interlocked.Exchange(ref _cutBudget, long.MaxValue);
                    CutAll();
                    return;
                }
            }
            await output.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    private void CutAll()
    {
        List<TcpClient> all;
        lock (_lock)
        {
            all = [.. _open];
            _open.Clear();
        }
        Cuts++;
        foreach (TcpClient c in all)
            Close(c, reset: true);
    }

    private void Close(TcpClient c, bool reset)
    {
        lock (_lock)
            _open.Remove(c);
        try
        {
            if (reset && c.Connected)
                c.Client.LingerState = new LingerOption(true, 0); // RST, as a dropped link or a killed peer gives
            c.Dispose();
        }
        catch (Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Resume();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }
        List<TcpClient> all;
        lock (_lock)
            all = [.. _open];
        foreach (TcpClient c in all)
            Close(c, reset: false);
        _stop.Dispose();
    }
}
