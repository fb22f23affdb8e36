using System.Net;
using System.Net.Sockets;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// `mrsync watch` parses every rsync option with the CLI's table and, for each kind of replica, honours it or refuses
/// it by name with exit 4 before it starts: a bogus option is rsync's usage error, any --delete form propagates
/// deletions, filter options (-C, -F, -f) apply, connect options reach a daemon replica.
/// </summary>
public sealed class WatchOptionTruthTests : IDisposable
{
    private readonly TempTree _src = new();
    private readonly TempTree _dst = new();

    public void Dispose()
    {
        _src.Dispose();
        _dst.Dispose();
    }

    [Theory]
    [InlineData("--bogus", 1, "--bogus: unknown option")]
    [InlineData("--files-from=list", 4, "--files-from is not supported by mrsync watch")]
    [InlineData("--stats", 4, "--stats is not supported by mrsync watch")]
    [InlineData("-i", 4, "--itemize-changes (-i) is not supported by mrsync watch")]
    [InlineData("--password-file=pw", 4, "--password-file is not supported for a local replica")]
    [InlineData("--port=873", 4, "--port is not supported for a local replica")]
    [InlineData("-4", 4, "--ipv4 (-4) is not supported for a local replica")]
    public async Task LocalReplicaRefusesWhatItCannotDo(string option, int exit, string message)
    {
        (int code, string log) = await RunToExitAsync([option, _src.Root + "/", _dst.Root]);
        Assert.True(code == exit, log);
        Assert.Contains(message, log, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dst.Root));
    }

    // A local replica runs the local-copy engine with the daemon replica's requests, so the copy options reach it.
    [Theory]
    [InlineData("-a")]
    [InlineData("-az")]
    [InlineData("-rt")]
    [InlineData("-a --no-perms")]
    [InlineData("-a --bwlimit=100000")]
    [InlineData("-a --no-W")]
    public async Task LocalReplicaHonoursCopyOptions(string options)
    {
        File.WriteAllText(_src["a.txt"], "sent");
        await using var watch = await WatchAsync([.. options.Split(' '), _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["a.txt"]), "the full sync");
        Assert.Equal("sent", File.ReadAllText(_dst["a.txt"]));
    }

    [Fact]
    public async Task DryRunReachesALocalReplica()
    {
        File.WriteAllText(_src["a.txt"], "not copied under -n");
        await using var watch = await WatchAsync(["-a", "-n", "-v", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => watch.Log.Contains("full sync", StringComparison.Ordinal), "the full sync");
        File.WriteAllText(_src["b.txt"], "nor this");
        await watch.UntilAsync(() => watch.Log.Contains(": b.txt", StringComparison.Ordinal), "the batch");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_dst.Root));
    }

    [Fact]
    public async Task HardLinksExcludesAndNonUtf8NamesReachALocalReplica()
    {
        File.WriteAllText(_src["one"], "shared");
        RawNames.HardLink(_src["one"], _src["two"]);
        File.WriteAllText(_src["cache.tmp"], "excluded");
        byte[] latin1 = [.. "caf"u8, 0xe9];
        RawNames.CreateFile(_src.Root, latin1);
        await using var watch = await WatchAsync(["-a", "-H", "--exclude=*.tmp", "--delete", _src.Root + "/", _dst.Root]);
        // -H sends the last name of a group and links the others once it is in place (hlink.c), so wait for the link.
        await watch.UntilAsync(() => File.Exists(_dst["two"]) && File.Exists(_dst["one"]) && Inode(_dst["one"]) == Inode(_dst["two"])
            && Names(_dst.Root).Contains(Convert.ToHexString(latin1)), "the full sync");
        Assert.False(File.Exists(_dst["cache.tmp"]));
        Assert.Equal(Inode(_dst["one"]), Inode(_dst["two"]));

        // A batch: a second name that is not UTF-8, the first one deleted, and a directory holding a linked pair moved
        // in (one re-sent tree, so both names are in one file list: rsync -H links only within its list).
        using var outside = new TempTree();
        Directory.CreateDirectory(outside["pair"]);
        File.WriteAllText(outside["pair/x"], "pair");
        RawNames.HardLink(outside["pair/x"], outside["pair/y"]);
        byte[] gbk = [.. "gbk-"u8, 0xc4, 0xe3];
        RawNames.CreateFile(_src.Root, gbk);
        RawNames.Delete(_src.Root, latin1);
        Directory.Move(outside["pair"], _src["pair"]);
        await watch.UntilAsync(() => File.Exists(_dst["pair/y"]) && File.Exists(_dst["pair/x"])
            && Inode(_dst["pair/x"]) == Inode(_dst["pair/y"]) && Names(_dst.Root).Contains(Convert.ToHexString(gbk))
            && !Names(_dst.Root).Contains(Convert.ToHexString(latin1)), "the batch");
        Assert.Equal(Inode(_dst["pair/x"]), Inode(_dst["pair/y"]));
        Assert.NotEqual(Inode(_dst["one"]), Inode(_dst["pair/x"]));

        // A new name of an inode the replica already has: its content arrives (the watcher adds the inode's other names to
        // the batch, HardLinkSiblings; rsync -H links only names within one list, hlink.c: match_hard_links).
        RawNames.HardLink(_src["one"], _src["three"]);
        await watch.UntilAsync(() => File.Exists(_dst["three"]), "the new link");
        Assert.Equal("shared", File.ReadAllText(_dst["three"]));
    }

    private static HashSet<string> Names(string dir)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        Assert.Equal(0, ManagedRsync.Platform.RawDirectory.List(System.Text.Encoding.UTF8.GetBytes(dir), (name, _) => names.Add(Convert.ToHexString(name))));
        return names;
    }

    private static long Inode(string path)
    {
        Assert.Equal(0, ManagedRsync.Platform.NativeStat.TryLstat(path, out var st));
        return st.Ino;
    }

    [Theory]
    [InlineData("--stats", "--stats is not supported by mrsync watch")]
    [InlineData("--list-only", "--list-only is not supported by mrsync watch")]
    [InlineData("--files-from=list", "--files-from is not supported by mrsync watch")]
    [InlineData("-R", "--relative (-R) is not supported by mrsync watch")]
    [InlineData("-P", "-P is not supported by mrsync watch")]
    [InlineData("-i", "--itemize-changes (-i) is not supported by mrsync watch")]
    [InlineData("--no-r", "--no-recursive is not supported by mrsync watch")]
    public async Task DaemonReplicaRefusesWhatAWatchCannotDo(string option, string message)
    {
        (int code, string log) = await RunToExitAsync(["-a", option, _src.Root + "/", "127.0.0.1::module"]);
        Assert.True(code == 4, log);
        Assert.Contains(message, log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-e ssh", "127.0.0.1::module", 4, "--rsh (-e) is not supported for a daemon or local replica")]
    [InlineData("--rsync-path=mrsync", "127.0.0.1::module", 4, "--rsync-path is not supported for a daemon or local replica")]
    [InlineData("-s", "LOCAL", 4, "--secluded-args (-s) is not supported for a daemon or local replica")]
    [InlineData("--password-file=pw", "host:dir", 1, "host:dir: The --password-file option may only be used when accessing an rsync daemon.")]
    [InlineData("--contimeout=5", "host:dir", 1, "host:dir: The --contimeout option may only be used when connecting to an rsync daemon.")]
    [InlineData("--port=873", "host:dir", 4, "--port is not supported for a replica over a remote shell (host:dir)")]
    [InlineData("--stats", "user@host:dir", 4, "--stats is not supported by mrsync watch (user@host:dir)")]
    public async Task RemoteShellOptionsGoOnlyToARemoteShellReplica(string option, string dest, int exit, string message)
    {
        (int code, string log) = await RunToExitAsync(["-a", .. option.Split(' '), _src.Root + "/", dest == "LOCAL" ? _dst.Root : dest]);
        Assert.True(code == exit, log);
        Assert.Contains(message, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigFileTargetOptionsAreCheckedToo()
    {
        string config = _dst["watch.conf"];
        File.WriteAllText(config, $"source = {_src.Root}\n[mirror]\ndest = {_dst["mirror"]}\noptions = --delete --port=873\n");
        (int code, string log) = await RunToExitAsync(["--config", config]);
        Assert.True(code == 4, log);
        Assert.Contains("--port is not supported for a local replica (mirror)", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--delete")]
    [InlineData("--del")]
    [InlineData("--delete-before")]
    [InlineData("--delete-during")]
    [InlineData("--delete-delay")]
    [InlineData("--delete-after")]
    [InlineData("--delete-excluded")]
    [InlineData("--delete-missing-args")]
    public async Task AnyDeleteFormPropagatesDeletionsToALocalReplica(string option)
    {
        File.WriteAllText(_src["doomed.txt"], "to be deleted");
        File.WriteAllText(_src["kept.txt"], "stays");
        await using var watch = await WatchAsync([option, _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["doomed.txt"]) && File.Exists(_dst["kept.txt"]), "the full sync");
        File.Delete(_src["doomed.txt"]);
        await watch.UntilAsync(() => !File.Exists(_dst["doomed.txt"]), "the deletion");
        Assert.True(File.Exists(_dst["kept.txt"]));
    }

    [Theory]
    [InlineData("--delete-before", true)]
    [InlineData("--delete-during", true)]
    [InlineData("--delete", true)]
    [InlineData("--delete-after", false)]
    [InlineData("--delete-delay", false)]
    public async Task DeletionsHappenAtTheMomentTheOptionNames(string option, bool beforeTransfers)
    {
        File.WriteAllText(_dst["extra.txt"], "only on the replica");
        File.WriteAllText(_src["a.txt"], "sent");
        await using var watch = await WatchAsync([option, "-v", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => watch.Log.Contains("deleting extra.txt", StringComparison.Ordinal) && watch.Log.Contains(": a.txt", StringComparison.Ordinal), "the full sync");
        int deleted = watch.Log.IndexOf("deleting extra.txt", StringComparison.Ordinal);
        int sent = watch.Log.IndexOf($"{_dst.Root}: a.txt", StringComparison.Ordinal);
        Assert.True(beforeTransfers ? deleted < sent : sent < deleted, watch.Log);
    }

    [Fact]
    public async Task DeleteMissingArgsDeletesOnlyWhatWasDeleted()
    {
        File.WriteAllText(_dst["extra.txt"], "only on the replica");
        File.WriteAllText(_src["doomed.txt"], "to be deleted");
        await using var watch = await WatchAsync(["--delete-missing-args", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["doomed.txt"]), "the full sync");
        File.Delete(_src["doomed.txt"]);
        await watch.UntilAsync(() => !File.Exists(_dst["doomed.txt"]), "the deletion");
        Assert.True(File.Exists(_dst["extra.txt"])); // rsync --delete-missing-args alone deletes no extraneous file
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExcludedFilesOnTheReplicaGoOnlyWithDeleteExcluded(bool deleteExcluded)
    {
        File.WriteAllText(_dst["cache.tmp"], "excluded, on the replica");
        File.WriteAllText(_dst["stale.txt"], "extraneous");
        File.WriteAllText(_src["a.txt"], "sent");
        await using var watch = await WatchAsync([deleteExcluded ? "--delete-excluded" : "--delete", "--exclude=*.tmp", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["a.txt"]) && !File.Exists(_dst["stale.txt"]), "the full sync");
        Assert.Equal(!deleteExcluded, File.Exists(_dst["cache.tmp"]));
    }

    [Fact]
    public async Task WithoutADeleteOptionNothingIsDeleted()
    {
        File.WriteAllText(_src["a.txt"], "a");
        await using var watch = await WatchAsync(["-v", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["a.txt"]), "the full sync");
        File.Delete(_src["a.txt"]);
        File.WriteAllText(_src["b.txt"], "b");
        await watch.UntilAsync(() => File.Exists(_dst["b.txt"]), "the next batch");
        Assert.True(File.Exists(_dst["a.txt"]));
    }

    [Fact]
    public async Task FilterOptionsApplyToALocalReplica()
    {
        // -C: rsync's CVS list (*.o, core, ...); -F: the .rsync-filter files; -f RULE; --exclude.
        File.WriteAllText(_src[".rsync-filter"], "- secret*\n");
        File.WriteAllText(_src["x.o"], "object");
        File.WriteAllText(_src["secret.key"], "secret");
        File.WriteAllText(_src["a.tmp"], "temporary");
        File.WriteAllText(_src["skip.me"], "excluded");
        File.WriteAllText(_src["keep.txt"], "kept");
        await using var watch = await WatchAsync(["--delete", "-C", "-F", "-f", "- *.tmp", "--exclude=skip.*", "-v", _src.Root + "/", _dst.Root]);
        await watch.UntilAsync(() => File.Exists(_dst["keep.txt"]), "the full sync");
        File.WriteAllText(_src["late.o"], "object");
        File.WriteAllText(_src["secret2"], "secret");
        File.WriteAllText(_src["late.tmp"], "temporary");
        File.WriteAllText(_src["late.txt"], "kept");
        await watch.UntilAsync(() => File.Exists(_dst["late.txt"]), "the batch");
        string[] names = [.. Directory.EnumerateFileSystemEntries(_dst.Root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal([".rsync-filter", "keep.txt", "late.txt"], names);
        Assert.Contains($"{_dst.Root}: late.txt", watch.Log, StringComparison.Ordinal); // -v names each file
    }

    [Fact]
    public async Task ConnectOptionsReachADaemonReplica()
    {
        // A listener standing in for the daemon: it records where the connection came from and then stays silent.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var watch = await WatchAsync(["-a", "--address=127.0.0.2", $"--port={port}", "--timeout=1", "--contimeout=5",
            _src.Root + "/", "127.0.0.1::module"]);
        using Socket peer = await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), ((IPEndPoint)peer.RemoteEndPoint!).Address);
        // --timeout=1 bounds the silent greeting (without it the handshake would wait 60 s).
        await watch.UntilAsync(() => watch.Log.Contains("failed (attempt 1", StringComparison.Ordinal), "a timed-out push");
        Assert.Contains("timeout", watch.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task AddressFamilyOptionReachesADaemonReplica()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        await using var watch = await WatchAsync(["-a", "-6", $"--port={port}", _src.Root + "/", "127.0.0.1::module"]);
        // -6 leaves no address for an IPv4 literal: the push fails before connecting, and nothing reaches the listener.
        await watch.UntilAsync(() => watch.Log.Contains("failed (attempt 1", StringComparison.Ordinal), "a failed push");
        Assert.Contains("getaddrinfo: 127.0.0.1 " + port + ": Address family for hostname not supported", watch.Log, StringComparison.Ordinal);
        Assert.False(listener.Pending());
    }

    private static CliContext Context(StringWriter log, CancellationToken ct = default) => new()
    {
        Out = TextWriter.Null,
        Error = SyncLogs.For(log),
        In = TextReader.Null,
        Cancellation = ct,
        GetEnvironmentVariable = _ => null,
    };

    // One synchronized wrapper per log, so readers can take the lock the writers hold.
    private static class SyncLogs
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<StringWriter, TextWriter> Wrappers = new();

        public static TextWriter For(StringWriter log) => Wrappers.GetValue(log, TextWriter.Synchronized);
    }

    private static async Task<(int Code, string Log)> RunToExitAsync(string[] args)
    {
        var log = new StringWriter();
        int code = await WatchCommand.RunAsync(args, Context(log)).WaitAsync(TimeSpan.FromSeconds(30));
        return (code, log.ToString());
    }

    private static async Task<RunningWatch> WatchAsync(string[] args)
    {
        var log = new StringWriter();
        var stop = new CancellationTokenSource();
        var ready = new TaskCompletionSource();
        Task<int> run = Task.Run(() => WatchCommand.RunAsync([.. args, "--delay", "10ms"], Context(log, stop.Token), _ => ready.TrySetResult()));
        Task first = await Task.WhenAny(ready.Task, run).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(first == ready.Task, $"the watch did not start:\n{log}");
        return new RunningWatch(run, stop, log);
    }

    private sealed class RunningWatch(Task<int> run, CancellationTokenSource stop, StringWriter log) : IAsyncDisposable
    {
        // The watch writes from its own threads through TextWriter.Synchronized, which locks the wrapper; read under
        // the same lock, or StringBuilder.ToString can meet a half-appended chunk.
        public string Log
        {
            get
            {
                lock (SyncLogs.For(log))
                {
                    return log.ToString();
                }
            }
        }

        public async Task UntilAsync(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!condition())
            {
                Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}:\n{Log}");
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
            }
            stop.Dispose();
        }
    }
}
