using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// One watch test's directories: the source tree, a place outside it on the same filesystem (for moves in and out),
/// and the replica: a fresh directory in a module of a stock daemon, or, for a local replica, a directory beside the source.
/// </summary>
internal sealed class WatchScenario : IDisposable
{
    private readonly RsyncDaemonFixture? _daemon;

    public WatchScenario(RsyncDaemonFixture? daemon, string module = DaemonModules.Open, string? backend = null, bool localReplica = false)
    {
        _daemon = daemon;
        LocalReplica = localReplica;
        Module = module;
        Backend = backend;
        Work = Directory.CreateTempSubdirectory("mrsync-watch-").FullName;
        Source = Directory.CreateDirectory(Path.Combine(Work, "src")).FullName;
        Outside = Directory.CreateDirectory(Path.Combine(Work, "outside")).FullName;
        Name = "watch-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Work { get; }
    public string Source { get; }
    public string Outside { get; }
    public string Module { get; }

    /// <summary>`--backend` given to the watcher (inotify, fanotify), or null for the default (auto).</summary>
    public string? Backend { get; }
    public string Name { get; }

    /// <summary>The replica is a local directory (`mrsync watch SRC/ /some/dir`), copied by the local-copy engine.</summary>
    public bool LocalReplica { get; }

    /// <summary>The replica's directory on the daemon side, or the local replica.</summary>
    public string Replica => LocalReplica ? Path.Combine(Work, "replica") : Path.Combine(Daemon.ModulePath(Module), Name);

    /// <summary>DEST for `mrsync watch`.</summary>
    public string Destination => LocalReplica ? Replica
        : ViaPort is { } port ? $"rsync://{Daemon.Host}:{port}/{Module}/{Name}/" : $"{Daemon.Url}{Module}/{Name}/";

    /// <summary>The port the watcher connects to instead of the daemon's (a <see cref="FaultProxy"/> in between), or null.</summary>
    public int? ViaPort { get; set; }

    public WatchProcess? Watcher { get; set; }

    private RsyncDaemonFixture Daemon => _daemon ?? throw new InvalidOperationException("this scenario has no daemon (a local or remote-shell replica)");

    /// <summary>`mrsync watch -a --delete --delay 10ms [extra] SRC/ DEST`; returns once the first full sync landed.</summary>
    public Task<WatchProcess> StartWatchAsync(params string[] extra) => StartWatchWithAsync(["-a", "--delete", .. extra]);

    /// <summary>`mrsync watch OPTIONS --delay 10ms SRC/ DEST`; returns once the first full sync landed.</summary>
    public async Task<WatchProcess> StartWatchWithAsync(string[] options)
    {
        Watcher?.Dispose();
        string[] backend = Backend is null ? [] : ["--backend", Backend];
        Watcher = WatchProcess.Start([.. options, "--delay", "10ms", .. backend, Source + "/", Destination]);
        await Watcher.WaitForLogAsync("batch full sync");
        if (Backend == "fanotify")
            Assert.True(Watcher.CountLog("with fanotify") == 1, $"the watcher is not on fanotify:\n{Watcher.Log}");
        return Watcher;
    }

    public Task ConvergedAsync() => Converge.WaitAsync(Source, Replica, Explain);

    public string Explain() => LocalReplica
        ? $"--- watch log ---\n{Watcher?.Log}"
        : $"--- watch log ---\n{Watcher?.Log}\n--- rsyncd.log (tail) ---\n{Tail(Daemon.DaemonLog, 30)}";

    public string P(string relative) => Path.Combine(Source, relative);

    public void Write(string relative, string content) => File.WriteAllText(P(relative), content);

    public void Dispose()
    {
        Watcher?.Dispose();
        MakeRemovable(Work);
        Directory.Delete(Work, recursive: true);
        if (Directory.Exists(Replica))
        {
            MakeRemovable(Replica);
            Directory.Delete(Replica, recursive: true);
        }
    }

    private static void MakeRemovable(string root)
    {
        foreach (string dir in Directory.EnumerateDirectories(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            if (new FileInfo(dir).LinkTarget is null)
                File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755
        }
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));
}
