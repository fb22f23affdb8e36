using Microsoft.Win32.SafeHandles;
using System.Net;
using System.Net.Sockets;
using ManagedRsync.Daemon;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Server;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// One client of the daemon, from its greeting to the end of its transfer (clientserver.c: start_daemon,
/// exchange_protocols, send_listing, rsync_module; io.c: read_args), then the server (<see cref="RsyncServer"/>). Every
/// text the client can see is stock 3.5.0's ("@ERROR: Unknown module 'x'", "@RSYNCD: EXIT", ...).
/// </summary>
internal sealed class DaemonConnection
{
    /// <summary>clientserver.c: DAEMON_HANDSHAKE_TIMEOUT, the bound on everything the client sends before its transfer.</summary>
    public static readonly TimeSpan HandshakeLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// clientserver.c: daemon_handshake_timeout — a section's "timeout" when it is 1 to 60 seconds, else
    /// <see cref="HandshakeLimit"/>. The global section's bounds the client until it names a module; the module's then
    /// bounds its authentication and, armed afresh, the reading of its arguments (io.c: set_daemon_handshake_timeout
    /// sets an absolute deadline, so a client trickling bytes gains nothing).
    /// </summary>
    internal static TimeSpan HandshakeLimitFor(int timeout) =>
        timeout is > 0 and <= 60 ? TimeSpan.FromSeconds(timeout) : HandshakeLimit;

    /// <summary>rsync protocol version we speak (rsync.h: PROTOCOL_VERSION 32, subprotocol 0).</summary>
    private const int OurProtocol = 32;

    private readonly DaemonOptions _options;
    private readonly DaemonLineIo _io;
    private string _address;
    private byte[]? _earlyInput;
    private bool _daemonChrooted;
    private DaemonLogFile _log;

    public DaemonConnection(Stream stream, EndPoint? peer, DaemonOptions options)
    {
        _options = options;
        _io = new DaemonLineIo(stream);
        _address = peer is IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString() : "0.0.0.0";
        _log = new DaemonLogFile(options.LogFile);
    }

    public async Task<RsyncExitCode> RunAsync(CancellationToken ct)
    {
        // clientserver.c: start_daemon re-reads the config for every connection.
        DaemonConfig config;
        try
        {
            config = _options.LoadConfig();
        }
        catch (DaemonConfigException e)
        {
            _log.Write(e.Message);
            return RsyncExitCode.Syntax;
        }
        _log = new DaemonLogFile(_options.LogFile ?? config.LogFile);

        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct);
        handshake.CancelAfter(HandshakeLimitFor(config.Timeout));
        try
        {
            return await HandshakeAsync(config, handshake, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (handshake.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            _log.Write($"daemon handshake timeout from {_address}");
            return RsyncExitCode.Timeout;
        }
        catch (DaemonSocketFailure e)
        {
            // io.c: safe_write, safe_read — rsyserr's line with who_am_i's role (a daemon's connection is the
            // "Receiver" until its arguments say otherwise), then log_exit's for RERR_STREAMIO without stock's source line.
            _log.Write($"rsync: [Receiver] {e.Message}");
            _log.Write($"rsync error: {RsyncExitCodes.Describe(RsyncExitCode.StreamIo)} (code {(int)RsyncExitCode.StreamIo})");
            return RsyncExitCode.StreamIo;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or SocketException or ObjectDisposedException)
        {
            _log.Write($"connection from {_address} ended: {SystemError.Describe(e)}");
            return RsyncExitCode.SocketIo;
        }
        catch (Exception e) when (RsyncException.IsFault(e))
        {
            // Before the transfer's own report (RsyncServer): a fault of ours is at least in the daemon's log.
            RsyncException fault = RsyncException.Internal(e);
            _log.Write($"connection from {_address} ended: {fault.Message}");
            return RsyncExitCodes.For(fault);
        }
    }

    private async Task<RsyncExitCode> HandshakeAsync(DaemonConfig config, CancellationTokenSource handshake, CancellationToken ct)
    {
        CancellationToken hs = handshake.Token;
        // clientserver.c: start_daemon reads the PROXY header under the handshake's deadline, before the reverse lookup,
        // which then looks up the address the proxy reported; any failure ends the connection without a word.
        if (config.ProxyProtocol)
        {
            if (!await HostAccess.IsTrustedProxyAsync(config.ProxyProtocolHosts, _address, hs).ConfigureAwait(false))
            {
                _log.Write($"proxy protocol rejected from untrusted peer UNDETERMINED ({_address})");
                return RsyncExitCode.StartClient;
            }
            ProxyProtocolHeader.Result proxied = await ProxyProtocolHeader.ReadAsync(_io.ReadExactlyAsync, hs).ConfigureAwait(false);
            if (!proxied.Accepted)
                return RsyncExitCode.StartClient;
            _address = proxied.SourceAddress ?? _address;
        }
        string host = config.ReverseLookup || config.Modules.Any(m => m.ReverseLookup)
            ? await ReverseLookupAsync(hs).ConfigureAwait(false)
            : "UNDETERMINED";
        // clientserver.c: start_daemon — "daemon chroot" after the reverse lookup (so that host names in hosts
        // allow/deny still work), with the log file open and the time zone read; everything after it (motd, modules,
        // secrets) is looked up inside. Only a connection's own process as root gets here (DaemonConfig.Validate).
        if (config.DaemonChroot is { } daemonRoot)
        {
            _log.Hold();
            _ = TimeZoneInfo.Local;
            if (Platform.Interop.ChangeRoot(daemonRoot) != 0)
            {
                _log.Write($"rsync: [Receiver] daemon chroot(\"{daemonRoot}\") failed: {LastError()}");
                return RsyncExitCode.StartClient;
            }
            try
            {
                Directory.SetCurrentDirectory("/");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Write($"rsync: [Receiver] daemon chdir(\"/\") failed: {SystemError.Describe(e)}");
                return RsyncExitCode.StartClient;
            }
            _daemonChrooted = true;
        }
        _log.Write($"connect from {host} ({_address})");

        // clientserver.c: exchange_protocols — our greeting, the motd and its empty line, then the client's greeting.
        await _io.WriteAsync($"@RSYNCD: {OurProtocol}.0 {AuthDigestNegotiation.FormatList(AuthDigestNegotiation.DefaultPreference)}\n", hs).ConfigureAwait(false);
        if (config.MotdFile is { } motd)
        {
            await _io.WriteAsync(ReadMotd(motd), hs).ConfigureAwait(false);
            await _io.WriteAsync("\n", hs).ConfigureAwait(false);
        }
        string? greetingLine = await _io.ReadLineAsync(nulTerminated: false, hs).ConfigureAwait(false);
        if (greetingLine is null)
            return RsyncExitCode.StartClient;
        if (!DaemonGreeting.TryParse(greetingLine, out DaemonGreeting greeting))
            return await ErrorAsync("@ERROR: protocol startup error", hs).ConfigureAwait(false);
        if (greeting.SubProtocol is null && greeting.Protocol >= 30)
            return await ErrorAsync($"@ERROR: your client omitted the subprotocol value: {greetingLine}", hs).ConfigureAwait(false);
        if (greeting.DigestList is null && greeting.Protocol > 31)
            return await ErrorAsync($"@ERROR: your client omitted the digest name list: {greetingLine}", hs).ConfigureAwait(false);
        int protocol = DaemonGreeting.Negotiate(OurProtocol, 0, greeting.Protocol, greeting.SubProtocol ?? 0);

        string? line = await _io.ReadLineAsync(nulTerminated: false, hs).ConfigureAwait(false);
        if (line is null)
            return RsyncExitCode.StartClient;
        // clientserver.c: EARLY_INPUT_CMD — up to BIGPATHBUFLEN bytes for the module's "early exec" (its stdin); the
        // length is strtol's (leading blanks and a sign taken, trailing bytes ignored).
        if (line.StartsWith("#early_input=", StringComparison.Ordinal))
        {
            long length = StrToL(line.AsSpan("#early_input=".Length));
            if (length <= 0 || length > DaemonLineIo.MaxLine)
                return await ErrorAsync("@ERROR: invalid early_input length", hs).ConfigureAwait(false);
            _earlyInput = await _io.ReadExactlyAsync((int)length, hs).ConfigureAwait(false);
            line = await _io.ReadLineAsync(nulTerminated: false, hs).ConfigureAwait(false);
            if (line is null)
                return RsyncExitCode.StartClient;
        }
        if (line.Length == 0 || line == "#list")
        {
            _log.Write($"module-list request from {host} ({_address})");
            foreach (DaemonModule m in config.Modules.Where(m => m.List))
                await _io.WriteAsync($"{m.Name,-15}\t{m.Comment}\n", hs).ConfigureAwait(false);
            if (protocol >= 25)
                await _io.WriteAsync("@RSYNCD: EXIT\n", hs).ConfigureAwait(false);
            return RsyncExitCode.Ok;
        }
        if (line.StartsWith('#'))
            return await ErrorAsync($"@ERROR: Unknown command '{line}'", hs).ConfigureAwait(false);
        DaemonModule? module = config.Find(line);
        if (module is null)
        {
            _log.Write($"unknown module '{line}' tried from {host} ({_address})");
            return await ErrorAsync($"@ERROR: Unknown module '{line}'", hs).ConfigureAwait(false);
        }
        return await ModuleAsync(module, host, protocol, greeting.DigestList, handshake, ct).ConfigureAwait(false);
    }

    // clientserver.c: rsync_module.
    private async Task<RsyncExitCode> ModuleAsync(DaemonModule module, string host, int protocol, string? digestList,
        CancellationTokenSource handshake, CancellationToken ct)
    {
        CancellationToken hs = handshake.Token;
        // clientserver.c: rsync_module sets RSYNC_MODULE_NAME, RSYNC_HOST_NAME and RSYNC_HOST_ADDR (RSYNC_USER_NAME
        // after the authentication) before it reads the module's strings, which may name them (%RSYNC_MODULE_NAME%).
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RSYNC_MODULE_NAME"] = module.Name,
            ["RSYNC_HOST_NAME"] = host,
            ["RSYNC_HOST_ADDR"] = _address,
        };
        module = module.ForConnection(variables);
        // log.c: log_init(1) reopens the log only when the module names another file (the global one stays open, which
        // inside a daemon chroot could not be opened again).
        if (module.LogFile is { } moduleLog && _options.LogFile is null && moduleLog != _log.Path)
            _log = new DaemonLogFile(moduleLog);
        bool forward = !module.Values.TryGetValue("forwardlookup", out string? fl) || !fl.Equals("no", StringComparison.OrdinalIgnoreCase);
        if (!await HostAccess.IsAllowedAsync(module.HostsAllow, module.HostsDeny, _address, host, forward, hs).ConfigureAwait(false))
        {
            _log.Write($"rsync denied on module {module.Name} from {host} ({_address})");
            return await ErrorAsync(module.List ? $"@ERROR: access denied to {module.Name} from {host} ({_address})"
                : $"@ERROR: Unknown module '{module.Name}'", hs).ConfigureAwait(false);
        }
        _log.Write($"rsync allowed access on module {module.Name} from {host} ({_address})");

        IDisposable? slot;
        try
        {
            slot = ConnectionSlots.TryClaim(module.LockFile, module.MaxConnections);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Write($"failed to open lock file {module.LockFile}: {SystemError.Describe(e)}");
            return await ErrorAsync("@ERROR: failed to open lock file", hs).ConfigureAwait(false);
        }
        if (slot is null)
        {
            _log.Write($"max connections ({module.MaxConnections}) reached");
            return await ErrorAsync($"@ERROR: max connections ({module.MaxConnections}) reached -- try again later", hs).ConfigureAwait(false);
        }
        using (slot)
        {
            // clientserver.c: rsync_module — the module's own deadline, from now, while the claimed slot awaits the
            // authentication (it may be longer than the global one: a module's "timeout = 0" means 60 s here).
            handshake.CancelAfter(HandshakeLimitFor(module.Timeout));

            bool readOnly = module.ReadOnly;
            string user = "";
            if (module.AuthUsers is not null)
            {
                // compat.c: negotiate_daemon_auth — a client whose list has none of ours is told so, and the
                // connection ends (RERR_UNSUPPORTED).
                AuthDigest digest;
                try
                {
                    digest = AuthDigestNegotiation.Choose(digestList, protocol, AuthDigestNegotiation.DefaultPreference);
                }
                catch (RsyncException)
                {
                    return await ErrorAsync("@ERROR: your client does not support one of our daemon-auth checksums: "
                        + AuthDigestNegotiation.FormatList(AuthDigestNegotiation.DefaultPreference), hs, RsyncExitCode.Unsupported).ConfigureAwait(false);
                }
                DaemonAuth.Outcome outcome = await DaemonAuth.AuthenticateAsync(_io, module, digest, host, _address, hs).ConfigureAwait(false);
                if (outcome.User is null)
                {
                    _log.Write(outcome.Failure ?? "auth failed");
                    return await ErrorAsync($"@ERROR: auth failed on module {module.Name}", hs).ConfigureAwait(false);
                }
                user = outcome.User;
                readOnly = outcome.ReadOnly ?? readOnly;
            }
            variables["RSYNC_USER_NAME"] = user;
            // Local setup and the operator's hooks are not the client's time (set_daemon_handshake_timeout(0)).
            handshake.CancelAfter(Timeout.InfiniteTimeSpan);

            // clientserver.c: rsync_module — the module's user and groups are looked up now and taken after the
            // module directory is found; only a process serving this one connection can take them.
            ModuleIdentity? identity = null;
            if (_options.OwnProcess && Platform.Interop.GetEffectiveUserId() == 0)
            {
                (identity, string? invalid) = ModuleIdentity.Resolve(module, 0);
                if (identity is null)
                {
                    _log.Write(char.ToUpperInvariant(invalid![0]) + invalid[1..]);
                    return await ErrorAsync($"@ERROR: {invalid}", hs).ConfigureAwait(false);
                }
            }

            if (module.Path is not { } path)
            {
                _log.Write($"No path specified for module {module.Name}");
                return await ErrorAsync("@ERROR: no path setting.", hs).ConfigureAwait(false);
            }
            if (!Directory.Exists(path))
            {
                _log.Write($"chdir {path} failed: No such file or directory");
                return await ErrorAsync($"@ERROR: chdir failed", hs).ConfigureAwait(false);
            }
            FilterList? filters;
            try
            {
                filters = ModuleFilters.Build(module);
            }
            catch (RsyncException e)
            {
                _log.Write(e.Message);
                return await ErrorAsync("@ERROR: invalid filter settings", hs).ConfigureAwait(false);
            }

            // clientserver.c: rsync_module — the hooks are read (and their %VAR% expanded) before the chroot and the
            // change of user; from here on the module's post-xfer exec runs when the connection ends, whatever ended it.
            XferExec? exec = null;
            Dictionary<string, string> environment = ModuleEnvironment(module, path, host, user);
            if ((module.EarlyExec ?? module.PreXferExec ?? module.PostXferExec ?? module.NameConverter) is not null && XferExec.Enabled)
            {
                exec = XferExec.Expand(module.EarlyExec, module.PreXferExec, module.PostXferExec, environment, out string? refused,
                    module.NameConverter);
                if (exec is null)
                {
                    // loadparm.c: expand_vars ends the connection (exit_cleanup(RERR_UNSUPPORTED)) before the greeting's
                    // OK: the client sees the connection close ("didn't get server startup line", exit 5).
                    _log.Write($"refusing to run shell hook: %{refused}% holds a shell metacharacter");
                    return RsyncExitCode.Unsupported;
                }
            }
            byte[]? earlyInput = _earlyInput;
            _earlyInput = null;
            RsyncExitCode code = RsyncExitCode.SocketIo;
            NameConverter? converter = null;
            try
            {
                // clientserver.c: rsync_module — "early exec" runs now, as the daemon's user, with RSYNC_REQUEST
                // "(NONE)" and the client's --early-input on its stdin; the daemon waits for it, and a failure ends
                // the connection before "@RSYNCD: OK".
                if (exec?.EarlyCommand is { } early)
                {
                    bool ran;
                    try
                    {
                        ran = await exec.RunEarlyAsync(early, earlyInput, stdoutIsClient: _options.OwnProcess, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
                    {
                        _log.Write($"rsync: [Receiver] early exec preparation failed: {SystemError.Describe(e)}");
                        return code = await ErrorAsync("@ERROR: early exec preparation failed", hs).ConfigureAwait(false);
                    }
                    if (!ran)
                    {
                        // Stock's rsyserr shows the errno its wait left behind: ECHILD, every time (seen with 3.5.0).
                        _log.Write("rsync: [Receiver] early exec failed: No child processes (10)");
                        return code = await ErrorAsync("@ERROR: early exec failed", hs).ConfigureAwait(false);
                    }
                }

                // clientserver.c: rsync_module — the name converter starts next, still as the daemon's user; it learns
                // the request once the arguments are read (TransferAsync).
                if (exec?.ConverterCommand is { } conversion)
                {
                    try
                    {
                        converter = NameConverter.Start(conversion, environment, _log.Write);
                    }
                    catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
                    {
                        _log.Write($"rsync: [Receiver] name-converter exec preparation failed: {SystemError.Describe(e)}");
                        return code = await ErrorAsync("@ERROR: name-converter exec preparation failed", hs).ConfigureAwait(false);
                    }
                }

                string root = path;
                bool chrooted = false;
                if (identity is not null)
                {
                    chrooted = ModuleEntry.UsesChroot(module);
                    (string? entered, string? failure, string? error) = ModuleEntry.Enter(path, chrooted, identity, _log);
                    if (entered is null)
                    {
                        _log.Write(failure!);
                        return code = await ErrorAsync($"@ERROR: {error}", hs).ConfigureAwait(false);
                    }
                    root = entered;
                    // Inside a daemon chroot there is no /proc: an unchrooted module is served by its path, which its
                    // user must then be able to search (stock serves it through the fd it pinned as root).
                    if (_daemonChrooted && !chrooted)
                        root = path;
                }
                else
                {
                    // A connection served in the listener's own process changes no directory: the module's path is
                    // walked as a forked child would enter it (util1.c: change_dir, the owner-checked walk), a planted
                    // link refused, then served by its name. (Unlike the forked child's fchdir, a link planted after
                    // this check is not caught here; what is served stays beneath what the path then names.)
                    (SafeFileHandle? pinned, string? failure) = ModuleEntry.Pin(path);
                    if (pinned is null)
                    {
                        _log.Write($"chdir {path} failed: {failure}");
                        return code = await ErrorAsync("@ERROR: chdir failed", hs).ConfigureAwait(false);
                    }
                    pinned.Dispose();
                }
                code = await TransferAsync(module, path, root, chrooted, host, user, readOnly, protocol, filters, exec, converter, handshake, ct).ConfigureAwait(false);
                return code;
            }
            finally
            {
                converter?.Dispose();
                if (exec?.PostCommand is { } post)
                    await RunPostAsync(exec, post, code).ConfigureAwait(false);
            }
        }
    }

    // clientserver.c: rsync_module, from the munge check to start_server.
    private async Task<RsyncExitCode> TransferAsync(DaemonModule module, string path, string root, bool chrooted, string host, string user, bool readOnly,
        int protocol, FilterList? filters, XferExec? exec, NameConverter? converter, CancellationTokenSource handshake,
        CancellationToken ct)
    {
        CancellationToken hs = handshake.Token;
        // clientserver.c: rsync_module — munging is no defence if the prefix's directory exists (a link stored as
        // "/rsyncd-munged/..." would then lead somewhere).
        if (module.MungeSymlinksWhen(chrooted, root) && Directory.Exists(MungedLinks.UnsafeDirectory))
        {
            _log.Write($"Symlink munging is unsafe when a {MungedLinks.UnsafeDirectory} directory exists.");
            return await ErrorAsync("@ERROR: daemon security issue -- contact admin", hs, RsyncExitCode.Unsupported).ConfigureAwait(false);
        }

        // clientserver.c: rsync_module arms the module's deadline again for both argument reads, then clears it.
        handshake.CancelAfter(HandshakeLimitFor(module.Timeout));
        await _io.WriteAsync("@RSYNCD: OK\n", hs).ConfigureAwait(false);
        List<string>? argv = await ReadArgumentsAsync(protocol >= 30, unescape: true, hs).ConfigureAwait(false);
        if (argv is null)
            return RsyncExitCode.Protocol;
        // -s: the rest of the vector follows, NUL-terminated and taken as it is (read_args with unescape 0).
        int secludedLetters = ServerArgumentParser.SecludedLetters(argv);
        if (secludedLetters >= 0)
        {
            List<string>? secluded = await ReadArgumentsAsync(nulTerminated: true, unescape: false, hs).ConfigureAwait(false);
            if (secluded is null)
                return RsyncExitCode.Protocol;
            argv = ServerArgumentParser.WithSecluded(argv, secludedLetters, secluded);
        }
        handshake.CancelAfter(Timeout.InfiniteTimeSpan);
        string request = string.Join(' ', argv.SkipWhile(a => a != ".").Skip(1));
        bool sender = argv.Contains("--sender");
        // options.c: parse_arguments parses a -M--filter rule and reads its merge file there and then: a malformed rule or
        // a file that cannot be opened ends the daemon before the request is logged and before any protocol byte
        // (Server/VectorMergeFiles.cs).
        ServerRequest parsed = ServerArgumentParser.Parse(argv, out _);
        if (parsed.FilterRules.Count > 0
            && VectorMergeFiles.FirstFailure(parsed.FilterRules, new ServerSettings { Root = root, Confined = true, ModuleFilters = filters },
                chrooted ? "/" : path, sender ? "sender" : "Receiver") is var (line, failed))
        {
            _log.Write(line);
            if (sender)
                _log.Write("sent 0 bytes  received 0 bytes  total size 0");
            // log.c: log_exit's words without stock's source line ("at exclude.c(1719) [sender=3.5.0]"), as RsyncServer's.
            _log.Write($"rsync error: {RsyncExitCodes.Describe(failed)} (code {(int)failed})");
            return failed;
        }
        string? startError = null;
        if (exec?.PreCommand is { } pre)
        {
            try
            {
                startError = await exec.RunPreAsync(pre, request.Length > 0 ? request : null, ExecArguments(argv, module.Name), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
            {
                _log.Write($"pre-xfer exec preparation failed: {SystemError.Describe(e)}");
                return await ErrorAsync("@ERROR: pre-xfer exec preparation failed", hs).ConfigureAwait(false);
            }
        }
        // clientserver.c: rsync_module writes the request to the name converter after the pre-xfer exec.
        converter?.SendArguments(request.Length > 0 ? request : null, ExecArguments(argv, module.Name));
        _log.Write(user.Length > 0
            ? $"rsync {(sender ? "on" : "to")} {request} from {user}@{host} ({_address})"
            : $"rsync {(sender ? "on" : "to")} {request} from {host} ({_address})");
        ChmodRules? moduleChmod = ModuleChmod(module, sender);

        var settings = new ServerSettings
        {
            Root = root,
            Confined = true,
            Protocol = protocol,
            ModuleName = module.Name,
            ModuleSlashAtTop = ModuleEntry.SlashAtTop(path, chrooted),
            ReadOnly = readOnly,
            WriteOnly = module.WriteOnly,
            RefuseOptions = module.RefuseOptions,
            ModuleFilters = filters,
            Timeout = module.Timeout,
            TempDir = module.TempDir,
            StartError = startError,
            MungeSymlinks = module.MungeSymlinksWhen(chrooted, root),
            NumericIds = module.NumericIdsWhen(chrooted),
            IgnoreErrors = module.IgnoreErrors,
            IgnoreNonreadable = module.IgnoreNonreadable,
            FakeSuper = module.FakeSuper,
            OpenNoAtime = module.OpenNoAtime,
            DontCompressAll = module.DontCompressAll,
            MaxVerbosity = module.MaxVerbosity,
            Log = _log.Write,
            TransferLog = module.TransferLogging ? TransferLogLine(module, path, host, user) : null,
            ModuleChmod = moduleChmod,
            AccountNames = converter,
        };
        // log.c: log_exit — the server logs how a failed run ended itself (RsyncServer); one that finished with
        // errors logs no more than its totals.
        return await RsyncServer.RunAsync(_io.Stream, argv, settings, ct).ConfigureAwait(false);
    }

    // clientserver.c: rsync_module — transfer logging writes the module's log format; %h is the reverse-looked-up name
    // only where the module asks for the lookup (log.c: log_formatted, undetermined_hostname otherwise).
    private LogLine TransferLogLine(DaemonModule module, string path, string host, string user) =>
        new(module.LogFormat, new LogLineContext
        {
            Module = module.Name,
            Host = module.ReverseLookup ? host : "UNDETERMINED",
            Address = _address,
            User = user,
            ModulePath = path,
        });

    // clientserver.c: rsync_module — "outgoing chmod" for a sender, "incoming chmod" for a receiver, read with the
    // daemon's umask (chmod.c: parse_chmod); a malformed one is logged and nothing of it applies.
    private ChmodRules? ModuleChmod(DaemonModule module, bool sender)
    {
        if ((sender ? module.OutgoingChmod : module.IncomingChmod) is not { } text)
            return null;
        var rules = new ChmodRules();
        if (rules.TryAdd(text, ProcessUmask.Value))
            return rules;
        _log.Write($"Invalid \"{(sender ? "outgo" : "incom")}ing chmod\" directive: {text}");
        return null;
    }

    // io.c: read_args — NUL-terminated arguments from protocol 30 ('\n' before), ended by an empty one, at most
    // MAX_DAEMON_ARGS of them ("too many daemon arguments", RERR_PROTOCOL); with unescape, the words before "." lose
    // safe_arg's backslashes.
    private async Task<List<string>?> ReadArgumentsAsync(bool nulTerminated, bool unescape, CancellationToken ct)
    {
        var argv = new List<string>();
        bool afterDot = false;
        while (true)
        {
            string? arg = await _io.ReadLineAsync(nulTerminated, ct).ConfigureAwait(false);
            if (arg is null)
                return null;
            if (arg.Length == 0)
                return argv;
            // io.c: read_args(unescape) — a daemon takes safe_arg's backslashes off the words before ".". (Whether
            // "." came is kept as it is read: searching the list for it made a flood of arguments quadratic.)
            if (unescape && !afterDot)
                arg = Session.SafeArgument.Unescape(arg);
            afterDot |= arg == ".";
            if (argv.Count >= ServerArgumentParser.MaxArguments)
            {
                _log.Write("too many daemon arguments");
                return null;
            }
            argv.Add(arg);
        }
    }

    // Stock's post-xfer parent waits for the connection's process to end, so the client has its EOF first; a
    // daemon being stopped still runs it.
    private async Task RunPostAsync(XferExec exec, string command, RsyncExitCode code)
    {
        await _io.Stream.DisposeAsync().ConfigureAwait(false);
        try
        {
            await exec.RunPostAsync(command, (int)code, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            _log.Write($"post-xfer exec failed: {SystemError.Describe(e)}");
        }
    }

    // clientserver.c: rsync_module sets these in the environment of every command it runs for the module.
    private Dictionary<string, string> ModuleEnvironment(DaemonModule module, string path, string host, string user) => new()
    {
        ["RSYNC_MODULE_NAME"] = module.Name,
        ["RSYNC_MODULE_PATH"] = path,
        ["RSYNC_HOST_ADDR"] = _address,
        ["RSYNC_HOST_NAME"] = host,
        ["RSYNC_USER_NAME"] = user,
        ["RSYNC_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // rsyserr's "MESSAGE (ERRNO)" for the last system call.
    private static string LastError() =>
        $"{System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()} ({System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})";

    // strtol(s, NULL, 10) as far as it matters for a length: white space, a sign, digits (clamped), the rest ignored.
    private static long StrToL(ReadOnlySpan<char> s)
    {
        int i = 0;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            i++;
        bool negative = i < s.Length && s[i] == '-';
        if (i < s.Length && s[i] is '+' or '-')
            i++;
        long n = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            n = Math.Min(n * 10 + (s[i] - '0'), int.MaxValue + 1L);
        return negative ? -n : n;
    }

    // The words a pre-xfer exec sees (io.c: read_args): the options as read, then each path with the module's name
    // taken off and sanitized (util1.c: glob_expand_module, glob_expand).
    private static List<string> ExecArguments(List<string> argv, string moduleName)
    {
        int dot = argv.IndexOf(".");
        if (dot < 0)
            return argv;
        var words = argv.Take(dot + 1).ToList();
        foreach (string p in argv.Skip(dot + 1))
        {
            string clean = ServerPaths.Sanitize(ServerPaths.WithoutModule(p, moduleName));
            words.Add(clean == "./" ? "." : clean);
        }
        return words;
    }

    private async Task<RsyncExitCode> ErrorAsync(string line, CancellationToken ct, RsyncExitCode code = RsyncExitCode.StartClient)
    {
        await _io.WriteAsync(line + "\n", ct).ConfigureAwait(false);
        return code;
    }

    // clientserver.c: exchange_protocols — the motd file's bytes as they are, opened without following a symlink an
    // attacker owns (syscall.c: open_no_attacker_symlinks); one that cannot be read sends nothing.
    private static byte[] ReadMotd(string path)
    {
        Platform.OwnerCheckedOpen.Result opened = Platform.OwnerCheckedOpen.OpenForReading(path);
        if (opened.Handle is null)
            return [];
        using var stream = new FileStream(opened.Handle, FileAccess.Read, 1);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    // socket.c: client_name — the peer's name from a reverse lookup, "UNKNOWN" when there is none.
    private async Task<string> ReverseLookupAsync(CancellationToken ct)
    {
        if (!IPAddress.TryParse(_address, out IPAddress? ip))
            return "UNKNOWN";
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromSeconds(5));
            IPHostEntry entry = await Dns.GetHostEntryAsync(ip.ToString(), limit.Token).ConfigureAwait(false);
            return string.IsNullOrEmpty(entry.HostName) ? "UNKNOWN" : entry.HostName;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ArgumentException)
        {
            return "UNKNOWN";
        }
    }
}
