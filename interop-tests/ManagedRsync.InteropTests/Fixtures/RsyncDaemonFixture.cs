using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// A real stock <c>rsync --daemon --no-detach</c> on 127.0.0.1 at a free port, with a generated rsyncd.conf serving
/// <see cref="DaemonModules.All"/> from a temporary directory. Shared by the tests of <see cref="RsyncDaemonCollection"/>.
/// If rsync is not installed, creating the fixture fails and so does every test using it, saying why.
/// </summary>
public class RsyncDaemonFixture : IAsyncLifetime
{
    public const string User = "tester";
    public const string Password = "s3cret pass";
    public const string Motd = "Welcome to the ManagedRsync interop daemon";

    private Process? _daemon;
    private string _startErrors = "";

    public RsyncDaemonFixture()
    {
        RsyncPath = ToolProcess.FindOnPath("rsync")
            ?? throw new InvalidOperationException(
                "stock rsync is not installed (not on PATH): the interop tests run against a real rsync daemon; " +
                "install it with: apt-get install -y rsync");
        Root = Directory.CreateTempSubdirectory("mrsync-interop-").FullName;
    }

    /// <summary>Path of the stock rsync executable.</summary>
    public string RsyncPath { get; }

    /// <summary>The executable started as `--daemon --no-detach` (stock rsync here; mrsync in <see cref="MrsyncDaemonFixture"/>).</summary>
    public virtual string DaemonPath => RsyncPath;

    /// <summary>The modules the generated rsyncd.conf serves (a fixture of a test class may serve others).</summary>
    protected virtual IReadOnlyList<DaemonModule> Modules => DaemonModules.All;

    /// <summary>Lines the generated rsyncd.conf adds to its global section (a fixture of a test class may set some).</summary>
    protected virtual IEnumerable<string> GlobalLines => [];

    /// <summary>The daemon's process id while it runs (its connections are its children), else null.</summary>
    public int? ProcessId => _daemon is { HasExited: false } d ? d.Id : null;

    /// <summary>Temporary directory holding config, log, secrets and module directories.</summary>
    public string Root { get; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    public string ConfigPath => Path.Combine(Root, "rsyncd.conf");

    public string LogPath => Path.Combine(Root, "rsyncd.log");

    /// <summary>A file holding <see cref="Password"/>, mode 600, for <c>--password-file</c>.</summary>
    public string PasswordFile => Path.Combine(Root, "password");

    /// <summary><c>rsync://127.0.0.1:PORT/</c>, the daemon URL with a trailing slash.</summary>
    public string Url => $"rsync://{Host}:{Port}/";

    /// <summary>Directory served by module <paramref name="module"/>.</summary>
    public string ModulePath(string module) => Path.Combine(Root, "modules", module);

    /// <summary>The daemon's log so far (empty if none yet).</summary>
    public string DaemonLog => File.Exists(LogPath) ? ReadShared(LogPath) : "";

    /// <summary>
    /// Where the log ends now: pass it to <see cref="DaemonLogSince"/> to see only what one test's own connection
    /// logged, so a line an earlier test left cannot satisfy a later test's search.
    /// </summary>
    public int LogMark() => DaemonLog.Length;

    /// <summary>The daemon's log written after <paramref name="mark"/> (from <see cref="LogMark"/>).</summary>
    public string DaemonLogSince(int mark) => DaemonLog[Math.Min(mark, DaemonLog.Length)..];

    public async Task InitializeAsync()
    {
        foreach (var module in Modules)
        {
            Directory.CreateDirectory(ModulePath(module.Name));
        }
        WritePrivate(Path.Combine(Root, "secrets"), $"{User}:{Password}\n");
        WritePrivate(PasswordFile, Password + "\n");
        File.WriteAllText(Path.Combine(Root, "motd"), Motd + "\n");
        File.WriteAllText(ConfigPath, BuildConfig());

        var random = new Random();
        string failures = "";
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int port = FixturePorts.PickFree(random);
            if (await TryStartAsync(port))
            {
                Port = port;
                return;
            }
            failures += $"port {port}: daemon did not start\n{DaemonLog}\n{_startErrors}\n";
        }
        throw new InvalidOperationException($"could not start the daemon {DaemonPath}:\n" + failures);
    }

    public Task DisposeAsync()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            _daemon.WaitForExit();
        }
        _daemon?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A module directory written by a test as another user may resist; the temp dir is not worth a failure.
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the daemon, leaving its modules in place (a replica target going away); <see cref="RestartAsync"/> brings
    /// it back on the same port. For a fixture a test created for itself, not the shared one.
    /// </summary>
    public void Stop()
    {
        if (_daemon is { HasExited: false })
        {
            _daemon.Kill(entireProcessTree: true);
            _daemon.WaitForExit();
        }
        _daemon?.Dispose();
        _daemon = null;
    }

    /// <summary>
    /// Starts the daemon again on <see cref="Port"/> after <see cref="Stop"/>. The port must stay the same (clients
    /// hold its URL), so a failed bind is retried for a while: the port is outside the ephemeral range, so only a
    /// short-lived holder can be in the way.
    /// </summary>
    public async Task RestartAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await TryStartAsync(Port))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the stock rsync daemon did not restart on port {Port}:\n{DaemonLog}");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Runs stock rsync with <paramref name="args"/>; <paramref name="environment"/> values of null unset.</summary>
    public Task<ProcessResult> RunRsyncAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null,
        string? stdin = null) =>
        ToolProcess.RunAsync(RsyncPath, args, WithDefaults(environment), stdin);

    /// <summary>Runs mrsync with <paramref name="args"/> (see <see cref="MrsyncProcess.RunAsync"/>).</summary>
    public Task<ProcessResult> RunMrsyncAsync(IEnumerable<string> args,
        IReadOnlyDictionary<string, string?>? environment = null, string? stdin = null) =>
        MrsyncProcess.RunAsync(args, WithDefaults(environment), stdin);

    /// <summary>Text for an assertion message: what the command printed plus the daemon's log.</summary>
    public string Explain(params ProcessResult[] results) =>
        string.Join("\n", results.Select(r => r.ToString())) + "\n--- rsyncd.log ---\n" + DaemonLog;

    // Tests must not inherit a password from whoever runs them.
    private static Dictionary<string, string?> WithDefaults(IReadOnlyDictionary<string, string?>? environment)
    {
        var env = new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = null };
        if (environment != null)
        {
            foreach (var (key, value) in environment)
            {
                env[key] = value;
            }
        }
        return env;
    }

    private string BuildConfig()
    {
        var conf = new StringBuilder();
        conf.AppendLine($"pid file = {Path.Combine(Root, "rsyncd.pid")}");
        conf.AppendLine($"log file = {LogPath}");
        conf.AppendLine($"motd file = {Path.Combine(Root, "motd")}");
        // Symlinks must arrive unchanged: no chroot means no munging is needed, and munging is off explicitly.
        conf.AppendLine("use chroot = no");
        conf.AppendLine("munge symlinks = no");
        conf.AppendLine("reverse lookup = no");
        if (Environment.UserName == "root")
        {
            // Root daemon keeps root so owner, group, mode and device files can be preserved.
            conf.AppendLine("uid = root");
            conf.AppendLine("gid = root");
        }
        foreach (string line in GlobalLines)
            conf.AppendLine(line);
        foreach (var module in Modules)
        {
            conf.AppendLine();
            conf.AppendLine($"[{module.Name}]");
            conf.AppendLine($"    path = {ModulePath(module.Name)}");
            conf.AppendLine($"    comment = {module.Comment}");
            conf.AppendLine($"    read only = {(module.ReadOnly ? "yes" : "no")}");
            conf.AppendLine($"    list = {(module.List ? "yes" : "no")}");
            if (module.AuthUsers != null)
            {
                conf.AppendLine($"    auth users = {module.AuthUsers}");
                conf.AppendLine($"    secrets file = {Path.Combine(Root, "secrets")}");
            }
            foreach (var line in module.Extra)
            {
                conf.AppendLine("    " + line.Replace("{root}", Root, StringComparison.Ordinal));
            }
        }
        return conf.ToString();
    }

    private async Task<bool> TryStartAsync(int port)
    {
        var psi = new ProcessStartInfo(DaemonPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "--daemon", "--no-detach", "--config", ConfigPath, "--port", port.ToString(), "--address", Host })
        {
            psi.ArgumentList.Add(arg);
        }
        var daemon = Process.Start(psi)!;
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, e) => _startErrors += e.Data + "\n";
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline && !daemon.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                if (daemon.HasExited)
                {
                    break; // someone else answered on the port: our daemon failed to bind it
                }
                _daemon = daemon;
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        if (!daemon.HasExited)
        {
            daemon.Kill(entireProcessTree: true);
        }
        daemon.WaitForExit();
        daemon.Dispose();
        return false;
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
