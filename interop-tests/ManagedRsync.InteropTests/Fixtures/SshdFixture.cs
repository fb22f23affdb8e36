using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// A real OpenSSH server on a free loopback port for the remote-shell interop tests: Debian's /usr/sbin/sshd with a
/// host key and a client key generated for it, the client key authorized for the user running the tests, started in
/// the foreground and stopped after. <see cref="Rsh"/> is the ssh command for -e: it reads no ssh config, known_hosts
/// or key of the machine's (only this fixture's host key, pinned in its own known_hosts file) and never prompts.
/// </summary>
public sealed class SshdFixture : IAsyncLifetime
{
    private const string Sshd = "/usr/sbin/sshd";
    private Process? _sshd;
    private readonly StringBuilder _log = new();

    public SshdFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), $"mrsync-sshd-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
    }

    /// <summary>The fixture's directory: keys, config, known_hosts, and scratch space for tests.</summary>
    public string Root { get; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>The user the tests log in as (the one running them).</summary>
    public string User => Environment.UserName;

    /// <summary>The -e command: ssh to this server only, with this fixture's key and known_hosts, non-interactive.</summary>
    public string Rsh =>
        $"ssh -F /dev/null -p {Port} -i {ClientKey} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes " +
        $"-o UserKnownHostsFile={KnownHosts} -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR";

    /// <summary>USER@HOST:PATH for <paramref name="path"/> on this server.</summary>
    public string Remote(string path) => $"{User}@{Host}:{path}";

    /// <summary>What sshd logged (-e: to stderr), for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    private string ClientKey => Path.Combine(Root, "client_key");
    private string KnownHosts => Path.Combine(Root, "known_hosts");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Sshd))
            throw new InvalidOperationException($"{Sshd} is missing: the remote-shell interop tests need OpenSSH's server (apt-get install -y openssh-server)");
        string hostKey = Path.Combine(Root, "host_key");
        await KeygenAsync(hostKey);
        await KeygenAsync(ClientKey);
        File.Copy(ClientKey + ".pub", Path.Combine(Root, "authorized_keys"));
        // sshd refuses to start without its privilege-separation directory (Debian creates it from the service unit).
        Directory.CreateDirectory("/run/sshd");

        var random = new Random();
        string failures = "";
        for (int attempt = 0; attempt < 8; attempt++)
        {
            int port = FixturePorts.PickFree(random);
            File.WriteAllText(Path.Combine(Root, "sshd_config"), Config(port, hostKey));
            // known_hosts pins the generated host key for [127.0.0.1]:PORT, so StrictHostKeyChecking can stay on.
            string[] pub = File.ReadAllText(hostKey + ".pub").Split(' ');
            File.WriteAllText(KnownHosts, $"[{Host}]:{port} {pub[0]} {pub[1]}\n");
            if (await TryStartAsync(port))
            {
                Port = port;
                return;
            }
            failures += $"port {port}:\n{Log}\n";
        }
        throw new InvalidOperationException("could not start sshd:\n" + failures);
    }

    public Task DisposeAsync()
    {
        if (_sshd is { HasExited: false })
        {
            _sshd.Kill(entireProcessTree: true);
            _sshd.WaitForExit();
        }
        _sshd?.Dispose();
        return ToolProcess.RunAsync("rm", ["-rf", Root]);
    }

    private string Config(int port, string hostKey) => $"""
        Port {port}
        ListenAddress {Host}
        HostKey {hostKey}
        PidFile {Path.Combine(Root, "sshd.pid")}
        AuthorizedKeysFile {Path.Combine(Root, "authorized_keys")}
        PubkeyAuthentication yes
        PasswordAuthentication no
        KbdInteractiveAuthentication no
        UsePAM no
        PermitRootLogin prohibit-password
        StrictModes no
        PrintMotd no
        PrintLastLog no
        UseDNS no
        MaxStartups 64:30:128
        MaxSessions 64
        LogLevel ERROR

        """;

    private static async Task KeygenAsync(string path)
    {
        var result = await ToolProcess.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "mrsync-interop", "-f", path]);
        if (result.ExitCode != 0)
            throw new InvalidOperationException("ssh-keygen failed:\n" + result);
    }

    private async Task<bool> TryStartAsync(int port)
    {
        var psi = new ProcessStartInfo(Sshd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-D", "-e", "-f", Path.Combine(Root, "sshd_config") })
            psi.ArgumentList.Add(arg);
        var sshd = Process.Start(psi)!;
        DataReceivedEventHandler log = (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_log)
                    _log.AppendLine(e.Data);
            }
        };
        sshd.OutputDataReceived += log;
        sshd.ErrorDataReceived += log;
        sshd.BeginOutputReadLine();
        sshd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline && !sshd.HasExited)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                if (sshd.HasExited)
                    break;
                _sshd = sshd;
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        if (!sshd.HasExited)
            sshd.Kill(entireProcessTree: true);
        sshd.WaitForExit();
        sshd.Dispose();
        return false;
    }
}

/// <summary>Test classes marked <c>[Collection(SshdCollection.Name)]</c> share one sshd (<see cref="SshdFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class SshdCollection : ICollectionFixture<SshdFixture>
{
    public const string Name = "OpenSSH server";
}
