using System.Text;
using ManagedRsync.IO;
using ManagedRsync.Session;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

public sealed partial class DaemonSession
{
    private const string AuthRequired = "@RSYNCD: AUTHREQD ";
    private const string Ok = "@RSYNCD: OK";
    private const string Exit = "@RSYNCD: EXIT";
    private const string Error = "@ERROR";

    /// <summary>
    /// Most text a daemon may send before the binary protocol (MOTD plus listing). Far beyond any real module
    /// list; a peer streaming lines forever is cut off.
    /// </summary>
    internal const long MaxHandshakeBytes = 16 << 20;

    private async Task ExchangeGreetingsAsync(CancellationToken ct)
    {
        string? digests = _options.SendDigestList ? AuthDigestNegotiation.FormatList(_options.AuthDigests) : null;
        var ours = new DaemonGreeting(_options.ProtocolVersion, 0, digests);
        try
        {
            await _stream.WriteTextAsync(ours.Format() + "\n", ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or RsyncException { InnerException: IOException })
        {
            // (DaemonStream turns a failed write into the session's "write error": the same case.)
            // A peer gone before it greeted (a remote shell that could not log in has closed its pipe): stock's
            // greeting lands in the pipe or socket buffer and its read then finds the end (clientserver.c:
            // exchange_protocols: "did not see server greeting", exit 5); ours found the end one step earlier.
            throw StartFailure("did not see server greeting");
        }

        string line = await ReadServerLineAsync(ct).ConfigureAwait(false)
            ?? throw StartFailure("did not see server greeting");
        if (!DaemonGreeting.TryParse(line, out var theirs))
        {
            throw StartFailure($"server sent \"{line}\" rather than greeting");
        }
        // rsync clientserver.c: exchange_protocols: from 30 the subprotocol is mandatory, from 32 the digest list.
        if (theirs.SubProtocol is null && theirs.Protocol >= 30)
        {
            throw StartFailure($"the server omitted the subprotocol value: {line}");
        }
        if (theirs.DigestList is null && theirs.Protocol > 31)
        {
            throw StartFailure($"the server omitted the digest name list: {line}");
        }

        RemoteProtocolVersion = theirs.Protocol;
        RemoteSubProtocol = theirs.SubProtocol ?? 0;
        RemoteDigestList = theirs.DigestList;
        ProtocolVersion = DaemonGreeting.Negotiate(_options.ProtocolVersion, 0, RemoteProtocolVersion, RemoteSubProtocol);
        if (ProtocolVersion < DaemonConnectOptions.MinProtocolVersion)
        {
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"protocol version mismatch: the daemon speaks protocol {ProtocolVersion}, " +
                $"mrsync supports {DaemonConnectOptions.MinProtocolVersion}-{DaemonConnectOptions.MaxProtocolVersion}");
        }
    }

    /// <summary>
    /// Asks for the module list (an empty module name). Every line the daemon prints also goes to
    /// <see cref="DaemonConnectOptions.ServerLine"/>. A MOTD cannot be told from listing lines on the wire, except
    /// that rsync's daemon ends it with an empty line; entries before the last empty line are left out of the result.
    /// </summary>
    public async Task<IReadOnlyList<ModuleInfo>> ListModulesAsync(CancellationToken ct)
    {
        await BeginModuleRequestAsync(ct).ConfigureAwait(false);
        await _stream.WriteTextAsync("\n", ct).ConfigureAwait(false);
        var modules = new List<ModuleInfo>();
        while (true)
        {
            string line = await ReadStartupLineAsync(ct).ConfigureAwait(false);
            if (line == Exit)
            {
                return modules;
            }
            if (line.StartsWith(AuthRequired, StringComparison.Ordinal) || line == Ok)
            {
                throw RsyncException.Protocol($"the daemon sent \"{line}\" in reply to a module listing request");
            }
            _options.ServerLine?.Invoke(line);
            if (line.Length == 0)
            {
                modules.Clear();
            }
            else
            {
                modules.Add(ModuleInfo.Parse(line));
            }
        }
    }

    /// <summary>
    /// Opens <paramref name="module"/>: sends its name, answers an auth challenge with <paramref name="user"/> and
    /// <paramref name="password"/>, waits for <c>@RSYNCD: OK</c>, then sends <paramref name="serverArgs"/>.
    /// </summary>
    /// <param name="module">Module name (anything from the first '/' on is ignored).</param>
    /// <param name="user">Auth user; rsync sends "nobody" when there is none.</param>
    /// <param name="password">Password, used only if the daemon asks; null answers with an empty password.</param>
    /// <param name="serverArgs">
    /// The server's argument list exactly as rsync's <c>server_options()</c> builds it, e.g.
    /// <c>--server --sender -vlogDtpre.iLsfxCIvu . module/path</c>. Each is sent NUL-terminated from protocol 30 and
    /// newline-terminated before, followed by an empty one (rsync clientserver.c: start_inband_exchange).
    /// </param>
    /// <param name="ct">Cancellation.</param>
    /// <exception cref="RsyncException">
    /// An <c>@ERROR</c> from the daemon (exit 5; <see cref="RsyncException.RemoteMessage"/> holds the line; kind
    /// <see cref="RsyncErrorKind.AuthenticationFailed"/> for auth failures), or a protocol violation.
    /// </exception>
    public Task StartModuleAsync(string module, string? user, string? password, IReadOnlyList<string> serverArgs,
        CancellationToken ct) =>
        StartModuleAsync(module, user, () => password, serverArgs, ct);

    /// <summary>
    /// As <see cref="StartModuleAsync(string, string?, string?, IReadOnlyList{string}, CancellationToken)"/>, but the
    /// password is only obtained when the daemon asks for one, as rsync reads <c>--password-file</c> only then.
    /// </summary>
    public async Task StartModuleAsync(string module, string? user, Func<string?> getPassword,
        IReadOnlyList<string> serverArgs, CancellationToken ct)
    {
        CheckServerArguments(serverArgs);
        await RequestModuleAsync(module, user, getPassword, ct).ConfigureAwait(false);
        await SendServerArgumentsAsync(serverArgs, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first half of <see cref="StartModuleAsync(string, string?, Func{string?}, IReadOnlyList{string}, CancellationToken)"/>:
    /// the module name sent, the challenge answered, <c>@RSYNCD: OK</c> read. The daemon then waits for the server
    /// arguments (<see cref="SendServerArgumentsAsync"/>) for at most its handshake timeout (rsync clientserver.c:
    /// rsync_module reads them under daemon_handshake_timeout: the module's "timeout", at most 60 s).
    /// </summary>
    internal async Task RequestModuleAsync(string module, string? user, Func<string?> getPassword, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(getPassword);
        int slash = module.IndexOf('/');
        string name = slash < 0 ? module : module[..slash];
        if (name.Length == 0 || name.Contains('\n') || name.Contains('\0'))
        {
            throw new RsyncException(RsyncErrorKind.Usage,
                "ERROR: The remote path must start with a module name not a /");
        }
        await BeginModuleRequestAsync(ct).ConfigureAwait(false);
        await _stream.WriteTextAsync(name + "\n", ct).ConfigureAwait(false);
        bool answered = false;
        while (true)
        {
            string line = await ReadStartupLineAsync(ct).ConfigureAwait(false);
            if (line == Ok)
            {
                break;
            }
            if (line.StartsWith(AuthRequired, StringComparison.Ordinal))
            {
                if (answered)
                {
                    throw RsyncException.Protocol("the daemon asked for authentication twice");
                }
                answered = true;
                await AnswerChallengeAsync(line[AuthRequired.Length..], user, getPassword, ct).ConfigureAwait(false);
                continue;
            }
            if (line == Exit)
            {
                // rsync clientserver.c: start_inband_exchange exits 0 here: the daemon ended the session.
                throw new RsyncException(RsyncErrorKind.RemoteError, "the daemon ended the session")
                {
                    RemoteMessage = line,
                    RemoteExitCode = 0,
                };
            }
            _options.ServerLine?.Invoke(line);
        }
    }

    /// <summary>
    /// The second half of <see cref="StartModuleAsync(string, string?, Func{string?}, IReadOnlyList{string}, CancellationToken)"/>,
    /// after <see cref="RequestModuleAsync"/>: the server arguments, each NUL-terminated from protocol 30 and
    /// newline-terminated before, then an empty one.
    /// </summary>
    internal async Task SendServerArgumentsAsync(IReadOnlyList<string> serverArgs, CancellationToken ct)
    {
        CheckServerArguments(serverArgs);
        // -s: the words after the letters follow as protected args (clientserver.c: start_inband_exchange stops the
        // list at server_options' NULL and calls send_protected_args), which a daemon reads only NUL-terminated.
        int clear = ServerArguments.ClearWordCount(serverArgs);
        if (clear < serverArgs.Count && ProtocolVersion < 30)
            throw new RsyncException(RsyncErrorKind.Unsupported,
                $"-s/--secluded-args with a protocol {ProtocolVersion} daemon is not supported");
        var args = new StringBuilder();
        char terminator = ProtocolVersion >= 30 ? '\0' : '\n';
        for (int i = 0; i < clear; i++)
        {
            args.Append(serverArgs[i]).Append(terminator);
        }
        args.Append(terminator);
        await _stream.WriteTextAsync(args.ToString(), ct).ConfigureAwait(false);
        if (clear < serverArgs.Count)
            await _stream.WriteBytesAsync(ServerArguments.SecludedBytes(serverArgs.Skip(clear)), ct).ConfigureAwait(false);
    }

    /// <summary>True when the daemon has sent nothing unread and not closed the connection (see <see cref="DaemonStream.IsQuiet"/>).</summary>
    internal bool IsQuiet => _stream.IsQuiet;

    private void CheckServerArguments(IReadOnlyList<string> serverArgs)
    {
        ArgumentNullException.ThrowIfNull(serverArgs);
        bool nulTerminated = ProtocolVersion >= 30;
        foreach (var arg in serverArgs)
        {
            if (arg.Contains('\0') || (!nulTerminated && arg.Contains('\n')))
            {
                throw new ArgumentException($"server argument cannot be sent at protocol {ProtocolVersion}: {arg}", nameof(serverArgs));
            }
        }
    }

    private async Task AnswerChallengeAsync(string challenge, string? user, Func<string?> getPassword, CancellationToken ct)
    {
        if (challenge.Length == 0 || challenge.Contains(' '))
        {
            throw RsyncException.Protocol($"the daemon sent a malformed auth challenge: \"{challenge}\"");
        }
        // Both sides choose from the list the other sent (rsync compat.c: negotiate_daemon_auth): a client that sent
        // none is treated by the daemon as pre-3.2, so it must answer like one and ignore the daemon's list.
        string? serverList = _options.SendDigestList ? RemoteDigestList : null;
        var digest = AuthDigestNegotiation.Choose(serverList, ProtocolVersion, _options.AuthDigests);
        NegotiatedAuthDigest = digest;
        string password = getPassword() ?? "";
        string response = AuthDigestNegotiation.Respond(digest, password, challenge);
        // rsync authenticate.c: auth_client: a missing user is sent as "nobody".
        string who = string.IsNullOrEmpty(user) ? "nobody" : user;
        if (who.Contains('\n') || who.Contains(' '))
        {
            throw new RsyncException(RsyncErrorKind.Usage, $"invalid user name \"{who}\"");
        }
        await _stream.WriteTextAsync($"{who} {response}\n", ct).ConfigureAwait(false);
    }

    // Once per session, before the module name (or the empty listing request): --early-input's bytes, when given.
    private async Task BeginModuleRequestAsync(CancellationToken ct)
    {
        if (_moduleRequested)
        {
            throw new InvalidOperationException("A daemon session serves one module request.");
        }
        _moduleRequested = true;
        if (_options.EarlyInputFile is { } file && EarlyInput.Read(file) is { Length: > 0 } bytes)
        {
            await _stream.WriteTextAsync(EarlyInput.Header(bytes.Length), ct).ConfigureAwait(false);
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
        }
    }

    // A line of the module phase; @ERROR ends the session with the daemon's words (rsync prints them verbatim).
    private async Task<string> ReadStartupLineAsync(CancellationToken ct)
    {
        string line = await ReadServerLineAsync(ct).ConfigureAwait(false)
            ?? throw StartFailure("didn't get server startup line");
        if (line.StartsWith(Error, StringComparison.Ordinal))
        {
            var kind = line.Contains("auth failed", StringComparison.Ordinal)
                ? RsyncErrorKind.AuthenticationFailed
                : RsyncErrorKind.StartFailed;
            throw new RsyncException(kind, line) { RemoteMessage = line };
        }
        return line;
    }

    private async Task<string?> ReadServerLineAsync(CancellationToken ct)
    {
        string? line;
        try
        {
            line = await TimeLimit.RunAsync(_options.HandshakeTimeout, ct, _stream.ReadLineAsync, () => new RsyncException(RsyncErrorKind.Timeout,
                $"io timeout after {_options.HandshakeTimeout.TotalSeconds:0} seconds waiting for the daemon -- exiting")).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new RsyncException(RsyncErrorKind.Connection,
                $"connection to the daemon failed: {SystemError.Describe(e)}", e);
        }
        if (_stream.LineBytesRead > MaxHandshakeBytes)
        {
            throw RsyncException.Protocol($"the daemon sent more than {MaxHandshakeBytes} bytes of text before the protocol started");
        }
        return line;
    }

    private static RsyncException StartFailure(string message) =>
        new(RsyncErrorKind.StartFailed, message);
}
