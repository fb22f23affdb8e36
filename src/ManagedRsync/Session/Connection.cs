using ManagedRsync.IO;
using ManagedRsync.Protocol;

namespace ManagedRsync.Session;

/// <summary>
/// One rsync connection after its transport has opened it, whatever the transport (a daemon socket, the local
/// in-memory pipe; later a remote shell) and whichever side started it: the multiplexed input and output over the
/// transport's duplex stream, what the setup settled, the ndx codecs of both directions and the dispatch of the
/// out-of-band messages. The roles (Sender, Generator, Receiver) run over it and never see the transport, as
/// rsync's send_files / generate_files / recv_files run the same whether main.c started them from client_run,
/// start_server or local_child.
/// </summary>
internal sealed partial class Connection : IMessageHandler, IAsyncDisposable
{
    private readonly Stream _stream;
    private IMessageHandler? _role;
    private int _remoteIoError;
    private bool _sawErrors;

    /// <param name="stream">The transport's duplex stream, positioned where the binary protocol starts.</param>
    /// <param name="isServer">rsync's am_server: this side was started by the peer (a local copy's receiving half).</param>
    /// <param name="log">Where the peer's text messages go.</param>
    /// <param name="bandwidthLimit">--bwlimit in KiB per second for what this side writes, 0 for none.</param>
    /// <param name="stop">
    /// Ends the run at the next write once cancelled (Ctrl-C): a reader waits on its own token, but a sender busy with one
    /// large file only writes, and without this went on to the end of the file, at --bwlimit's pace, before it noticed
    /// (rsync exits from its signal handler at once).
    /// </param>
    public Connection(Stream stream, bool isServer, ITransferLog log, int bandwidthLimit = 0, CancellationToken stop = default)
    {
        _stream = stream;
        IsServer = isServer;
        Log = log;
        In = new MultiplexReader(stream, this);
        // rsync io.c: perform_io paces the writes of the process that owns the socket by --bwlimit (sleep_for_bwlimit).
        Out = new MultiplexWriter(PacedStream.Wrap(stream, bandwidthLimit)) { Stop = stop };
    }

    public MultiplexReader In { get; }

    public MultiplexWriter Out { get; }

    /// <summary>rsync's am_server.</summary>
    public bool IsServer { get; }

    /// <summary>Where the peer's MSG_INFO / MSG_ERROR text goes.</summary>
    public ITransferLog Log { get; }

    /// <summary>
    /// A daemon's log file, where its server side also writes each line it tells the client (rsync log.c: rwrite logs
    /// FINFO, FERROR and FWARNING with logit when am_daemon); null for any other side.
    /// </summary>
    public Action<string>? DaemonLog { get; init; }

    /// <summary>What the setup settled; set by <see cref="SetupClientAsync"/> or <see cref="SetupServerAsync(int?, TransferOptions, string, bool, CancellationToken)"/>.</summary>
    public SessionParameters Parameters { get; private set; } = null!;

    public int Protocol => Parameters.Protocol;

    /// <summary>rsync io.c: read_ndx's previous values, for what the peer sends.</summary>
    public NdxCodec NdxIn { get; private set; } = null!;

    /// <summary>rsync io.c: write_ndx's previous values, for what we send.</summary>
    public NdxCodec NdxOut { get; private set; } = null!;

    /// <summary>MSG_ERROR_XFER arrived: rsync log.c makes the run a partial transfer (exit 23).</summary>
    public bool SawErrors => Volatile.Read(ref _sawErrors);

    /// <summary>MSG_IO_ERROR's flags or'ed: the peer's file list may be incomplete, so nothing is deleted.</summary>
    public int RemoteIoError
    {
        get => Volatile.Read(ref _remoteIoError);
        set => Volatile.Write(ref _remoteIoError, value);
    }

    /// <summary>
    /// rsync's shutting_down (main.c: read_final_goodbye sets it): the end-of-run exchange has begun, so an error exit
    /// from here on tells the peer no exit code and does not wait for it to close (cleanup.c: _exit_cleanup).
    /// </summary>
    public bool ShuttingDown { get; set; }

    /// <summary>The role's handler for the messages whose meaning depends on it (MSG_DELETED, MSG_NO_SEND, ...).</summary>
    public void Attach(IMessageHandler role) => _role = role;

    /// <summary>
    /// The client's half of the setup (rsync compat.c: setup_protocol). A daemon states the protocol in its greeting
    /// (<paramref name="knownProtocol"/>); any other transport exchanges the versions first.
    /// </summary>
    /// <param name="knownProtocol">The protocol a daemon's greeting settled, or null to exchange versions.</param>
    /// <param name="options">The transfer's options.</param>
    /// <param name="weSend">Whether this client is the sender (a push): it decides what the server may turn on.</param>
    /// <param name="ct">Cancels the setup.</param>
    public Task SetupClientAsync(int? knownProtocol, TransferOptions options, bool weSend, CancellationToken ct)
    {
        _ioTimeout = options.Timeout;
        _announceTimeout = options.Info.Gte(InfoFlag.Misc, 2);
        // rsync.c: who_am_i — a client's reads time out in its sender (a push) or its generator (a pull).
        In.TimeoutWho = weSend ? "sender" : "generator";
        return UnderTimeoutAsync(options, ct, async token =>
        {
            int protocol = knownProtocol
                ?? await SessionSetup.ExchangeVersionsAsync(In, Out, options.Protocol, token).ConfigureAwait(false);
            Settle(await SessionSetup.RunAsync(In, Out, protocol, options, weSend, token).ConfigureAwait(false));
        });
    }

    // A client's --timeout in seconds (0: none), which a daemon's MSG_IO_TIMEOUT may shorten; whether to say so (MISC2).
    private int _ioTimeout;
    private bool _announceTimeout;

    // io.c: read_a_msg, MSG_IO_TIMEOUT — only a client takes it, with exactly four bytes (else "invalid message"); a
    // value that is not positive or is over a day is ignored (it would disable or overflow the timeout), and one
    // shorter than ours (or any, when we have none) becomes ours, said with --info=misc2 (-vv).
    private void AdoptServerTimeout(ReadOnlySpan<byte> payload)
    {
        if (IsServer)
            throw PeerMessages.Unexpected(MessageCode.IoTimeout, "client");
        int seconds = PeerMessages.Int(payload, MessageCode.IoTimeout);
        if (seconds is <= 0 or > 86400 || (_ioTimeout != 0 && _ioTimeout <= seconds))
            return;
        if (_announceTimeout)
            Log.Info($"Setting --timeout={seconds} to match server");
        _ioTimeout = seconds;
        In.SetTimeout(TimeSpan.FromSeconds(seconds));
    }

    /// <summary>
    /// The server's half of the setup (rsync main.c: start_server, compat.c: setup_protocol with am_server):
    /// versions exchanged as int32s (a transport that is not a daemon), then compat flags, names and seed.
    /// </summary>
    /// <param name="options">The server's options (a local copy: the client's own; later parsed from --server argv).</param>
    /// <param name="clientInfo">The capability letters after "-e." in the client's server arguments.</param>
    /// <param name="ct">Cancels the setup.</param>
    public Task SetupServerAsync(TransferOptions options, string clientInfo, CancellationToken ct) =>
        SetupServerAsync(knownProtocol: null, options, clientInfo, serverSends: false, ct);

    /// <summary>
    /// The server's half of the setup when the protocol is already settled (<paramref name="knownProtocol"/>: a daemon
    /// connection, whose greetings chose it, clientserver.c: exchange_protocols; compat.c: setup_protocol skips the
    /// version exchange when remote_protocol is set); null exchanges the versions as any other transport does.
    /// With serverSends this server is the sender (main.c: do_server_sender), which may list incrementally.
    /// </summary>
    public Task SetupServerAsync(int? knownProtocol, TransferOptions options, string clientInfo, bool serverSends, CancellationToken ct) =>
        UnderTimeoutAsync(options, ct, async token =>
        {
            int protocol = knownProtocol
                ?? await SessionSetup.ExchangeVersionsAsync(In, Out, options.Protocol, token).ConfigureAwait(false);
            ClientOfferedIncremental = clientInfo.Contains('i');
            // compat.c: setup_protocol — the server sends --checksum-seed's value when one was given (a local copy's
            // server half has the client's options), else time ^ pid << 6.
            int seed = options.ChecksumSeed != 0 ? options.ChecksumSeed
                : (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() ^ ((long)Environment.ProcessId << 6));
            Settle(await SessionSetup.RunServerAsync(In, Out, protocol, options, clientInfo, serverSends, seed, token).ConfigureAwait(false));
        });

    // rsync io.c: --timeout bounds every read, the setup's too (compat.c setup_protocol reads under io_timeout), on
    // either side: a peer that goes silent before multiplexing (a stalled link) would otherwise hold us for ever,
    // since the multiplexed reader's own timeout starts only after the setup.
    private static Task UnderTimeoutAsync(TransferOptions options, CancellationToken ct, Func<CancellationToken, Task> setup) =>
        TimeLimit.RunAsync(options.Timeout > 0 ? options.TimeoutSpan : null, ct, setup,
            () => new RsyncException(RsyncErrorKind.Timeout, $"io timeout after {options.Timeout} seconds -- exiting"));

    /// <summary>
    /// A --read-batch run's "connection": the batch file's header settled what a setup would have (compat.c:
    /// setup_protocol reads the protocol, compat flags and seed from it, and negotiates no names). What the run writes
    /// goes nowhere (the generator's requests are told to the receiver directly), so the output is multiplexed only
    /// to let messages be written like on any client; the input (the batch's data stream) is not.
    /// </summary>
    public void SetupFromBatch(SessionParameters parameters)
    {
        Settle(parameters);
        Out.StartMultiplexing();
    }

    private void Settle(SessionParameters parameters)
    {
        // main.c: start_server, client_run — the stats count from the end of setup_protocol (MultiplexReader and
        // MultiplexWriter StartCounting): a pulling client prints the server's figures, which must be stock's.
        In.StartCounting();
        Out.StartCounting();
        Parameters = parameters;
        NdxIn = new NdxCodec(parameters.Protocol);
        NdxOut = new NdxCodec(parameters.Protocol);
    }

    /// <summary>
    /// Turns on multiplexing where stock does for this side and role: a client multiplexes its output from protocol 30
    /// and its input from 23 (main.c: client_run, for either role); a server its output from 23 (start_server) and
    /// its input from 30 (do_server_recv; a server sender only when need_messages_from_generator, also from 30).
    /// </summary>
    /// <param name="timeout">rsync --timeout: no byte from the peer for this long ends the session (exit 30).</param>
    /// <param name="generatorMessages">
    /// The receiving side's generator talks to the sender below protocol 30 too: --remove-source-files sets
    /// need_messages_from_generator (options.c), so a receiving client multiplexes its output and a sending server
    /// its input at any protocol. Pass it only for those two: the other roles multiplex by protocol alone.
    /// </param>
    /// <param name="readerThread">The input is read by a thread of its own that waits in poll(2) (a pulling client over a socket: MultiplexReader.StartMultiplexing).</param>
    public void StartMultiplexing(TimeSpan timeout, bool generatorMessages = false, bool readerThread = false)
    {
        int outputFrom = IsServer ? 23 : 30;
        int inputFrom = IsServer ? 30 : 23;
        if (Protocol >= outputFrom || (generatorMessages && !IsServer))
            Out.StartMultiplexing();
        if (Protocol >= inputFrom || (generatorMessages && IsServer))
            In.StartMultiplexing(timeout, readerThread);
    }

    /// <summary>Sends whatever is buffered, with the messages that wait for the output (<see cref="ServerLog"/>).</summary>
    public void Send()
    {
        ServerLog?.DrainInto(Out);
        Out.Send();
    }

    /// <summary>
    /// A server's client offered incremental recursion ('i' in its capability letters, options.c: maybe_add_e_option):
    /// stock's server would take it (compat.c: set_allow_inc_recurse) where ours declines it.
    /// </summary>
    public bool ClientOfferedIncremental { get; private set; }

    /// <summary>The log of a server role: its text goes to the client as MSG_INFO / MSG_ERROR (rsync log.c: rwrite).</summary>
    public ServerMessageLog? ServerLog { get; set; }

    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
        if (code == MessageCode.IoTimeout)
        {
            AdoptServerTimeout(payload);
            return;
        }
        if (PeerMessages.TryHandle(code, payload, Log, ref _sawErrors, ref _remoteIoError))
            return;
        if (_role is null)
            throw PeerMessages.Unexpected(code, IsServer ? "client" : "daemon");
        _role.OnMessage(code, payload);
    }

    public ValueTask DisposeAsync() => In.DisposeAsync();
}
