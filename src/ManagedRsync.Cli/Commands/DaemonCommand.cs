using System.Diagnostics;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using ManagedRsync.Daemon;
using ManagedRsync.DaemonServer;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// `mrsync daemon [OPTIONS]`, also spelled `mrsync --daemon [OPTIONS]` as rsync spells it (options.c: daemon_usage):
/// --config FILE, --port N, --address A, --no-detach/--detach, --log-file F, -M/--dparam PARAM=VALUE, -v. With
/// a socket on stdin it serves that one connection (inetd, systemd Accept=yes, clientserver.c: daemon_main's
/// is_a_socket check); with a systemd listening socket (LISTEN_FDS) it accepts on it; otherwise it listens itself.
/// Without --no-detach it starts itself again detached and returns, as rsync's become_daemon forks. Other rsync options
/// are refused by name.
/// </summary>
internal static class DaemonCommand
{
    private const string Usage = """
        Usage: mrsync daemon [OPTION]...     (also: mrsync --daemon [OPTION]...)
             --address=ADDRESS       bind to the specified address
             --config=FILE           specify alternate rsyncd.conf file (default /etc/rsyncd.conf)
         -M, --dparam=OVERRIDE       override global daemon config parameter
             --no-detach             do not detach from the parent
             --port=PORT             listen on alternate port number
             --log-file=FILE         override the "log file" setting
         -v, --verbose               increase verbosity
         -h, --help                  show this help (when used with --daemon)
        """;

    /// <summary>True when <paramref name="args"/> asks for the daemon (`daemon` first, or `--daemon` anywhere).</summary>
    public static bool Wants(string[] args) =>
        (args.Length > 0 && args[0] == "daemon") || args.Contains("--daemon");

    public static int Run(string[] args)
    {
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        return RunAsync(args, Console.Error, stop.Token).GetAwaiter().GetResult();
    }

    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken ct)
    {
        string[] words = args.Length > 0 && args[0] == "daemon" ? args[1..] : args.Where(a => a != "--daemon").ToArray();
        DaemonOptions options = new() { Warn = error.WriteLine };
        bool detach = true;
        bool server = false;
        bool configGiven = false;
        var dparams = new List<string>();
        for (int i = 0; i < words.Length; i++)
        {
            string w = words[i];
            (string name, string? value) = w.StartsWith("--", StringComparison.Ordinal) && w.IndexOf('=') is var eq and > 0
                ? (w[..eq], w[(eq + 1)..])
                : (w, null);
            string Value() => value ?? (i + 1 < words.Length ? words[++i] : throw new ArgumentException($"{name}: missing argument"));
            try
            {
                switch (name)
                {
                    case "--config": options = options with { ConfigFile = Value() }; configGiven = true; break;
                    case "--port": options = options with { Port = int.Parse(Value()) }; break;
                    case "--address": options = options with { Address = Value() }; break;
                    case "--log-file": options = options with { LogFile = Value() }; break;
                    case "--no-detach": detach = false; break;
                    case "--detach": detach = true; break;
                    case "-M" or "--dparam": dparams.Add(Value()); break;
                    case "-v" or "--verbose": break;
                    case "-h" or "--help":
                        Console.Out.WriteLine(Usage);
                        return 0;
                    // A remote shell's `rsync --server --daemon .` runs the daemon on its stdin/stdout (am_daemon = -1).
                    case "--server": server = true; break;
                    case "." when server: break;
                    default:
                        if (name.StartsWith("-M", StringComparison.Ordinal) && name.Length > 2)
                        {
                            dparams.Add(name[2..]);
                            break;
                        }
                        error.WriteLine($"mrsync: {name} is not supported with --daemon");
                        return (int)RsyncExitCode.Unsupported;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                error.WriteLine($"mrsync: {e.Message}");
                return (int)RsyncExitCode.Syntax;
            }
        }
        options = options with { ConfigParameters = dparams };
        if (server && !configGiven)
            options = options with { ConfigFile = DaemonOptions.RemoteShellConfigFile };

        try
        {
            Socket? inetd = null;
            if (server || StdinIsSocket(out inetd))
                return await ServeStdioAsync(options with { OwnProcess = true }, server ? RemoteShellPeer() : InetdPeer(), inetd, ct).ConfigureAwait(false);
            inetd?.Dispose();
            options = options with { ConnectionCommand = ConnectionCommand(options) };

            Socket? activated = SystemdSocket();
            if (detach && activated is null && Environment.GetEnvironmentVariable("NOTIFY_SOCKET") is null)
            {
                RsyncDaemon.CheckConfig(options);
                return Detach(args);
            }
            await using RsyncDaemon daemon = RsyncDaemon.Start(options, activated);
            using (var notify = new SystemdNotify(Environment.GetEnvironmentVariable))
                notify.Send($"READY=1\nSTATUS=listening on {daemon.LocalEndPoint}");
            await daemon.RunAsync(ct).ConfigureAwait(false);
            return 0;
        }
        catch (DaemonConfigException e)
        {
            error.WriteLine($"mrsync daemon: {e.Message.Replace("\n", "\nmrsync daemon: ", StringComparison.Ordinal)}");
            return (int)RsyncExitCode.Syntax;
        }
    }

    // How the listener starts a process for one connection (socket.c: start_accept_loop forks one): this executable
    // again as inetd would start it, with the same config, -M parameters and --log-file.
    private static List<string> ConnectionCommand(DaemonOptions options)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this executable");
        var command = new List<string> { self };
        // Under `dotnet mrsync.dll` the executable is dotnet and the first argument the assembly.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            command.Add(Environment.GetCommandLineArgs()[0]);
        command.Add("--daemon");
        command.Add("--no-detach");
        command.Add("--config=" + Path.GetFullPath(options.ConfigFile));
        foreach (string p in options.ConfigParameters)
            command.Add("--dparam=" + p);
        if (options.LogFile is { } log)
            command.Add("--log-file=" + Path.GetFullPath(log));
        return command;
    }

    private static async Task<int> ServeStdioAsync(DaemonOptions options, System.Net.EndPoint? peer, Socket? connection, CancellationToken ct)
    {
        RsyncDaemon.CheckConfig(options);
        // Reads of stdin cannot be cancelled: the session's last read is given up, so that the process can exit (the
        // client of a daemon over a remote shell waits for that). A connection's own process (inetd, or the listener's
        // per-connection command) acknowledges at once what it reads, as the listener's connections do
        // (Daemon/QuickAckNetworkStream.cs: a stock client's small writes otherwise wait for our delayed ACK).
        bool quickAcks = connection is not null;
        Action? aroundRead = connection is null ? null : () => quickAcks = quickAcks && TcpQuickAck.TryArm(connection);
        await using Stream input = new AbandonableReads(Console.OpenStandardInput(), aroundRead);
        await using Stream output = Console.OpenStandardOutput();
        return (int)await RsyncDaemon.ServeAsync(input, output, peer, options, ct).ConfigureAwait(false);
    }

    // clientserver.c: daemon_main — "if (is_a_socket(STDIN_FILENO))" serve that one connection.
    // clientname.c: client_addr in daemon-over-rsh mode — the first word of REMOTE_HOST, SSH_CONNECTION, SSH_CLIENT
    // or SSH2_CLIENT when it is an address, else 0.0.0.0 (null here).
    private static System.Net.EndPoint? RemoteShellPeer()
    {
        foreach (string name in new[] { "REMOTE_HOST", "SSH_CONNECTION", "SSH_CLIENT", "SSH2_CLIENT" })
        {
            if (Environment.GetEnvironmentVariable(name) is not { } value)
                continue;
            string first = value.Split(' ')[0];
            return System.Net.IPAddress.TryParse(first, out System.Net.IPAddress? ip) ? new System.Net.IPEndPoint(ip, 0) : null;
        }
        return null;
    }

    private static bool StdinIsSocket(out Socket? socket)
    {
        socket = null;
        try
        {
            socket = new Socket(new SafeSocketHandle(0, ownsHandle: false));
            return socket.SocketType == SocketType.Stream;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static System.Net.EndPoint? InetdPeer()
    {
        try
        {
            using var socket = new Socket(new SafeSocketHandle(0, ownsHandle: false));
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    // sd_listen_fds(3): LISTEN_PID names us and LISTEN_FDS counts the sockets from fd 3.
    private static Socket? SystemdSocket()
    {
        if (Environment.GetEnvironmentVariable("LISTEN_PID") != Environment.ProcessId.ToString()
            || Environment.GetEnvironmentVariable("LISTEN_FDS") is not { } count || !int.TryParse(count, out int n) || n < 1)
            return null;
        return new Socket(new SafeSocketHandle(3, ownsHandle: true));
    }

    // main.c / socket.c: become_daemon forks and the parent returns; .NET cannot fork, so the same command runs again
    // with --no-detach in a new session, its standard streams on /dev/null, and this process returns.
    private static int Detach(string[] args)
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find this executable to detach");
        var start = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(self);
        // Under `dotnet mrsync.dll` the executable is dotnet and the first argument the assembly.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Environment.GetCommandLineArgs()[0]);
        foreach (string a in args)
            start.ArgumentList.Add(a);
        start.ArgumentList.Add("--no-detach");
        using Process? child = Process.Start(start);
        child?.StandardInput.Close();
        return 0;
    }
}
