using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// A scripted rsync daemon for hostile-input tests: it listens on a free loopback port, completes the daemon
/// handshake and session setup the way a stock 3.5.0 daemon does for a pull (greeting, module OK, server arguments,
/// compat flags, checksum negotiation, seed, multiplexed output), then runs a script that sends crafted bytes.
/// It is a fake only for what a real daemon would never send; real behaviour is tested against stock rsync.
/// </summary>
internal sealed class HostileDaemon : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(60));
    private readonly Task _serving;

    public HostileDaemon(Func<HostileSession, CancellationToken, Task> script)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _serving = ServeAsync(script, _stop.Token);
    }

    public int Port { get; }

    /// <summary>
    /// A daemon that completes the setup, sends the file list <paramref name="build"/> writes, then runs
    /// <paramref name="then"/> (or waits for the client to hang up).
    /// </summary>
    public static HostileDaemon SendingFileList(Action<HostileFileList> build,
        Func<HostileSession, CancellationToken, Task>? then = null) =>
        new(async (session, ct) =>
        {
            await session.HandshakeAsync(ct);
            var list = new HostileFileList(session);
            build(list);
            await list.SendAsync(ct);
            if (then is not null)
                await then(session, ct);
        });

    /// <summary>The URL of module <c>m</c>.</summary>
    public string ModuleUrl(string path = "") => $"rsync://127.0.0.1:{Port}/m/{path}";

    /// <summary>What the script threw, if anything other than the client hanging up.</summary>
    public Exception? ScriptError { get; private set; }

    /// <summary>The session the client opened (null until it connects).</summary>
    public HostileSession? Session { get; private set; }

    private async Task ServeAsync(Func<HostileSession, CancellationToken, Task> script, CancellationToken ct)
    {
        try
        {
            using var client = await _listener.AcceptTcpClientAsync(ct);
            client.NoDelay = true;
            await using var stream = client.GetStream();
            Session = new HostileSession(stream);
            await script(Session, ct);
            await stream.FlushAsync(ct);
            // Give the client the chance to read everything before the socket goes away.
            client.Client.Shutdown(SocketShutdown.Send);
            await Session.DrainAsync(ct);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException)
        {
            // The client hung up on us: that is the expected end of most hostile scripts.
        }
        catch (Exception e)
        {
            ScriptError = e;
        }
    }

    /// <summary>
    /// Stops the daemon and fails the test if the script itself went wrong (an assertion in it failed, the client's
    /// bytes were not what the script expected): a hostile test whose daemon never sent the crafted bytes proves nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _stop.CancelAsync();
            _listener.Stop();
            await _serving;
            _stop.Dispose();
        }
        if (ScriptError is not null)
            throw new InvalidOperationException($"the hostile daemon's script failed: {ScriptError.Message}", ScriptError);
    }

    private bool _disposed;
}

/// <summary>The daemon side of one scripted connection.</summary>
internal sealed class HostileSession
{
    private readonly NetworkStream _stream;
    private readonly byte[] _in = new byte[64 * 1024];
    private int _inStart;
    private int _inEnd;
    private int _frameRemaining;

    public HostileSession(NetworkStream stream) => _stream = stream;

    /// <summary>The server arguments the client sent (rsync clientserver.c: the NUL-terminated list).</summary>
    public List<string> Args { get; } = [];

    public string? Module { get; private set; }

    /// <summary>The single-letter options of the client's "-..." argument, before the "e." capability part.</summary>
    public string ShortOptions { get; private set; } = "";

    public bool PreserveLinks => ShortOptions.Contains('l');

    public bool PreserveUid => ShortOptions.Contains('o');

    public bool PreserveGid => ShortOptions.Contains('g');

    public bool PreserveDevices => ShortOptions.Contains('D');

    public bool Compress => ShortOptions.Contains('z');

    public bool NumericIds => Args.Contains("--numeric-ids");

    /// <summary>The client's filter rules as sent (rsync exclude.c: send_filter_list).</summary>
    public List<string> Filters { get; } = [];

    /// <summary>
    /// Plays a stock 3.5.0 daemon up to the file list: greeting, module, "@RSYNCD: OK", server arguments, compat flags
    /// (varint file-list flags and the seed fix, no incremental recursion), "md5" as the only transfer checksum and
    /// "zlib" as the only compression when the client asked for -z (rsync compat.c: setup_protocol,
    /// negotiate_the_strings), the checksum seed, then the client's filter list.
    /// </summary>
    /// <param name="ct">Ends the script.</param>
    /// <param name="compatFlags">The compat flags varint (CF_INC_RECURSE = 1 is what a client that did not offer it must refuse).</param>
    /// <param name="checksumList">Bytes sent in place of the vstring "md5", for crafted negotiation strings.</param>
    public async Task HandshakeAsync(CancellationToken ct, int compatFlags = 0x80 | 0x20 | 0x08, byte[]? checksumList = null)
    {
        await WriteRawAsync("@RSYNCD: 32.0 sha512 sha256 sha1 md5 md4\n"u8.ToArray(), ct);
        string greeting = await ReadLineAsync(ct);
        if (!greeting.StartsWith("@RSYNCD: ", StringComparison.Ordinal))
            throw new InvalidDataException($"client greeting was \"{greeting}\"");
        Module = await ReadLineAsync(ct);
        await WriteRawAsync("@RSYNCD: OK\n"u8.ToArray(), ct);
        while (await ReadZeroTerminatedAsync(ct) is { Length: > 0 } arg)
            Args.Add(arg);
        string? options = Args.FirstOrDefault(a => a.StartsWith('-') && !a.StartsWith("--", StringComparison.Ordinal));
        ShortOptions = options is null ? "" : options[1..].Split('e')[0];

        var setup = new ArrayBufferWriter<byte>();
        setup.WriteVarInt(compatFlags);
        if (checksumList is null)
            setup.WriteVString("md5"u8);
        else
            setup.Write(checksumList);
        if (Compress)
            setup.WriteVString("zlib"u8);
        await WriteRawAsync(setup.WrittenMemory, ct);
        await ReadVStringAsync(ct);
        if (Compress)
            await ReadVStringAsync(ct);
        var seed = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(seed, 0x12345678);
        await WriteRawAsync(seed, ct);

        // From here both directions are multiplexed (rsync io.c: io_start_multiplex_out/in, protocol 30+).
        while (true)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(await ReadDataAsync(4, ct));
            if (length == 0)
                break;
            if (length is < 0 or > 4096)
                throw new InvalidDataException($"filter rule length {length}");
            Filters.Add(Encoding.UTF8.GetString(await ReadDataAsync(length, ct)));
        }
    }

    /// <summary>Sends bytes as MSG_DATA frames.</summary>
    public Task SendDataAsync(ReadOnlyMemory<byte> data, CancellationToken ct) => SendFramesAsync(MessageCode.Data, data, ct);

    /// <summary>Sends one multiplexed message with an arbitrary tag.</summary>
    public async Task SendMessageAsync(MessageCode code, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, ((uint)(MultiplexReader.MplexBase + (int)code) << 24) | (uint)payload.Length);
        payload.CopyTo(frame.AsMemory(4));
        await WriteRawAsync(frame, ct);
    }

    private async Task SendFramesAsync(MessageCode code, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        const int maxFrame = 32 * 1024;
        do
        {
            int n = Math.Min(maxFrame, data.Length);
            await SendMessageAsync(code, data[..n], ct);
            data = data[n..];
        }
        while (!data.IsEmpty);
    }

    public async Task WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        await _stream.WriteAsync(bytes, ct);
        await _stream.FlushAsync(ct);
    }

    /// <summary>Reads <paramref name="count"/> data bytes from the client's multiplexed stream, skipping its messages.</summary>
    public async Task<byte[]> ReadDataAsync(int count, CancellationToken ct)
    {
        var result = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            if (_frameRemaining == 0)
            {
                await FillAsync(4, ct);
                uint header = BinaryPrimitives.ReadUInt32LittleEndian(_in.AsSpan(_inStart));
                _inStart += 4;
                int tag = (int)(header >> 24) - MultiplexReader.MplexBase;
                int length = (int)(header & 0xFFFFFF);
                if (tag != (int)MessageCode.Data)
                {
                    await FillAsync(length, ct);
                    _inStart += length;
                    continue;
                }
                _frameRemaining = length;
                continue;
            }
            await FillAsync(1, ct);
            int n = Math.Min(Math.Min(_frameRemaining, count - filled), _inEnd - _inStart);
            _in.AsSpan(_inStart, n).CopyTo(result.AsSpan(filled));
            _inStart += n;
            filled += n;
            _frameRemaining -= n;
        }
        return result;
    }

    /// <summary>Reads and discards everything until the client closes the connection.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        while (await _stream.ReadAsync(_in, ct) > 0)
        {
        }
    }

    private async Task FillAsync(int count, CancellationToken ct)
    {
        if (count > _in.Length)
            throw new InvalidDataException($"client frame of {count} bytes");
        if (_inEnd - _inStart >= count)
            return;
        _in.AsSpan(_inStart, _inEnd - _inStart).CopyTo(_in);
        _inEnd -= _inStart;
        _inStart = 0;
        while (_inEnd < count)
        {
            int n = await _stream.ReadAsync(_in.AsMemory(_inEnd), ct);
            if (n == 0)
                throw new EndOfStreamException("client closed the connection");
            _inEnd += n;
        }
    }

    private async Task<byte> ReadRawByteAsync(CancellationToken ct)
    {
        await FillAsync(1, ct);
        return _in[_inStart++];
    }

    private async Task<string> ReadLineAsync(CancellationToken ct)
    {
        var line = new List<byte>();
        for (byte b = await ReadRawByteAsync(ct); b != '\n'; b = await ReadRawByteAsync(ct))
            line.Add(b);
        return Encoding.UTF8.GetString(line.ToArray());
    }

    private async Task<string> ReadZeroTerminatedAsync(CancellationToken ct)
    {
        var text = new List<byte>();
        for (byte b = await ReadRawByteAsync(ct); b != 0; b = await ReadRawByteAsync(ct))
            text.Add(b);
        return Encoding.UTF8.GetString(text.ToArray());
    }

    private async Task<string> ReadVStringAsync(CancellationToken ct)
    {
        int length = await ReadRawByteAsync(ct);
        if ((length & 0x80) != 0)
            length = ((length & 0x7F) << 8) | await ReadRawByteAsync(ct);
        var bytes = new byte[length];
        for (int i = 0; i < length; i++)
            bytes[i] = await ReadRawByteAsync(ct);
        return Encoding.UTF8.GetString(bytes);
    }
}
