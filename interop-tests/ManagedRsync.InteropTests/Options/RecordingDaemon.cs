using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// A fake rsync daemon on a free 127.0.0.1 port that records what clients send: it greets as a stock 3.5.0 daemon,
/// accepts any module (a module whose name starts with <see cref="AuthPrefix"/> asks for a password first), records
/// the server arguments, plays the server's side of the session setup and records the filter list, a pull's
/// forwarded --files-from names and a push's file list, then hangs up. Many clients may use it at once: each names its own module, and
/// <see cref="TakeAsync"/> hands back the record of that module. It is a fake only for recording; transfers are
/// tested against the real daemon.
/// </summary>
public sealed class RecordingDaemon : IAsyncDisposable
{
    /// <summary>Modules whose name starts with this ask for a password (any answer is accepted and recorded).</summary>
    public const string AuthPrefix = "auth-";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, ClientRecord> _finished = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, Task> _sessions = new();
    private readonly Task _accepting;
    private int _nextSession;
    private int _unnamed;

    /// <param name="protocol">The protocol version the daemon greets with (a stock 3.5.0 daemon: 32, or its --protocol).</param>
    /// <param name="sessionLimit">Longest a session may last; a client that stalls is hung up on, and the record says so.</param>
    public RecordingDaemon(int protocol = 32, TimeSpan? sessionLimit = null)
    {
        Protocol = protocol;
        SessionLimit = sessionLimit ?? TimeSpan.FromSeconds(30);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_stop.Token);
    }

    public int Port { get; }

    public int Protocol { get; }

    public TimeSpan SessionLimit { get; }

    /// <summary><c>rsync://[USER@]127.0.0.1:PORT/MODULE/</c>.</summary>
    public string Url(string module, string? user = null) =>
        $"rsync://{(user is null ? "" : user + "@")}127.0.0.1:{Port}/{module}/";

    /// <summary>
    /// The finished record of <paramref name="module"/>, once the client that used it has gone; null when no client
    /// opened that module (call it after the client exited: a connection it made is then queued or being served).
    /// </summary>
    public async Task<ClientRecord?> TakeAsync(string module)
    {
        var deadline = DateTime.UtcNow + SessionLimit + TimeSpan.FromSeconds(5);
        int quietChecks = 0;
        while (DateTime.UtcNow < deadline)
        {
            if (_finished.TryRemove(module, out var record))
                return record;
            // Nobody opened the module if no connection waits to be accepted or to name its module, three times in a
            // row (the later looks cover a connection between its accept and the count).
            bool busy = _started.ContainsKey(module) || _listener.Pending() || Volatile.Read(ref _unnamed) > 0;
            quietChecks = busy ? 0 : quietChecks + 1;
            if (quietChecks >= 3)
                return null;
            await Task.Delay(busy ? 5 : 10);
        }
        throw new TimeoutException($"the recording of module {module} did not finish within {SessionLimit}");
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _unnamed);
            int id = Interlocked.Increment(ref _nextSession);
            _sessions[id] = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(client, ct);
                }
                finally
                {
                    _sessions.TryRemove(id, out _);
                }
            }, CancellationToken.None);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken stop)
    {
        using var connection = client;
        client.NoDelay = true;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        limit.CancelAfter(SessionLimit);
        var record = new ClientRecord();
        bool named = false;
        await using var session = new RecordingSession(client.GetStream(), Protocol, record, module =>
        {
            _started[module] = 0;
            Interlocked.Decrement(ref _unnamed);
            named = true;
        });
        try
        {
            await session.RunAsync(limit.Token);
            record.End = "complete";
        }
        catch (InvalidDataException e)
        {
            record.End = $"stopped {session.Phase}: {e.Message}";
        }
        catch (Exception)
        {
            // Whatever stopped the session (the client hanging up, bytes that make no sense, the time limit) is part
            // of what is compared: the record says where it stopped.
            record.End = limit.IsCancellationRequested
                ? $"daemon gave up after {SessionLimit.TotalSeconds:0} s {session.Phase}"
                : $"stopped {session.Phase}";
        }
        finally
        {
            if (!named)
                Interlocked.Decrement(ref _unnamed);
        }
        try
        {
            client.Client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
            // The client may already have closed.
        }
        if (named)
        {
            _finished[record.Module] = record;
            _started.TryRemove(record.Module, out _);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        await Task.WhenAll(_sessions.Values);
        _stop.Dispose();
    }
}
