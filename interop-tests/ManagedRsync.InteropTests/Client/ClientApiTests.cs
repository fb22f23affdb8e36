using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;
using RsyncClient = ManagedRsync.Client.RsyncClient;

namespace ManagedRsync.InteropTests.Client;

/// <summary>
/// The public entry point as a library user has it (<see cref="RsyncClient"/>), against the stock daemon: module
/// list, push and pull through the request records, events as values, cancellation, and the error kinds.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ClientApiTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-client-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private sealed class Recorder : ITransferEvents
    {
        public List<TransferMessage> Messages { get; } = [];
        public List<TransferProgress> Progress { get; } = [];
        public List<TransferDeletion> Deletions { get; } = [];
        public List<ItemizedChange> Items { get; } = [];
        public List<ListingEntry> Listed { get; } = [];

        public void OnItem(ItemizedChange change)
        {
            lock (Items)
                Items.Add(change);
        }

        public void OnListed(ListingEntry entry)
        {
            lock (Listed)
                Listed.Add(entry);
        }

        public void OnDeleted(TransferDeletion deletion)
        {
            lock (Deletions)
                Deletions.Add(deletion);
        }

        public void OnMessage(TransferMessage message)
        {
            lock (Messages)
                Messages.Add(message);
        }

        public void OnProgress(TransferProgress progress)
        {
            lock (Progress)
                Progress.Add(progress);
        }
    }

    private DaemonConnectOptions Connection => new() { Host = daemon.Host, Port = daemon.Port };

    [Fact]
    public async Task ListModulesReturnsTheListedModulesAndRaisesTheDaemonLines()
    {
        var events = new Recorder();
        IReadOnlyList<ModuleInfo> modules = await RsyncClient.ListModulesAsync(Connection, events);
        Assert.Equal(DaemonModules.All.Where(m => m.List).Select(m => m.Name), modules.Select(m => m.Name));
        Assert.Contains(events.Messages, m => m.Kind == TransferMessageKind.ServerLine && m.Text == RsyncDaemonFixture.Motd);
        // Every listing line is raised too, verbatim, after the MOTD.
        Assert.Equal(modules.Select(m => m.Line), events.Messages.Select(m => m.Text).TakeLast(modules.Count));
    }

    [Fact]
    public async Task PushRaisesProgressForEveryFileOnlyWhenAskedAndTheTreeArrives()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"client-{Guid.NewGuid():N}";
        var request = new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive with { HardLinks = true, Progress = true },
        };
        var events = new Recorder();
        TransferResult result = await RsyncClient.PushAsync(request, events);
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        TreeAssert.Equal(src, Path.Combine(daemon.ModulePath(DaemonModules.Open), name), nanoseconds: true);
        // Each file whose data was sent reports its progress up to its full size (the hard-linked pair once, under
        // the name whose data goes; the empty file too: stock's end_progress follows every file's match_sums).
        // Between them, the end-of-list indexes' totals (sender.c: end_progress(0)).
        var started = events.Progress.Where(p => !p.EndOfList).Select(p => p.Name).Distinct().ToList();
        var finished = events.Progress.Where(p => !p.EndOfList && p.BytesDone == p.FileSize).Select(p => p.Name).Distinct().ToList();
        Assert.Equal(started, finished);
        Assert.Contains(events.Progress, p => p.EndOfList && p.Name == "" && p.TransferredSize == result.Stats.TotalTransferredSize);
        Assert.Contains("sub/deeper/file.txt", finished);
        Assert.Contains("two-blocks-exact", finished);
        Assert.Single(finished, n => n is "medium.bin" or "sub/hard-link");
        Assert.Equal(result.Stats.TransferredFiles, finished.Count);
        Assert.DoesNotContain(events.Messages, m => m.Kind == TransferMessageKind.Error);

        // Without Progress (rsync's --progress) no progress is computed or raised.
        var quiet = new Recorder();
        await RsyncClient.PushAsync(request with { Options = request.Options with { Progress = false } }, quiet);
        Assert.Empty(quiet.Progress);
    }

    [Fact]
    public async Task PullWithAuthUsesTheRequestsUserAndPasswordAndRaisesProgress()
    {
        string module = daemon.ModulePath(DaemonModules.Auth);
        string name = $"client-pull-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(module, name));
        File.WriteAllBytes(Path.Combine(module, name, "data.bin"), new byte[100_000]);
        string dest = Path.Combine(_work, "restore");
        var request = new PullRequest
        {
            // No USER@ in the address: the request's User logs in, the password is asked for when the daemon wants it.
            Source = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Auth}/{name}/"),
            User = RsyncDaemonFixture.User,
            Password = () => RsyncDaemonFixture.Password,
            Destination = dest,
            Options = TransferOptions.Archive with { Progress = true },
        };
        var events = new Recorder();
        TransferResult result = await RsyncClient.PullAsync(request, events);
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        Assert.Equal(new byte[100_000], File.ReadAllBytes(Path.Combine(dest, "data.bin")));
        Assert.Contains(events.Progress, p => p.Name == "data.bin" && p.BytesDone == 100_000);
    }

    [Fact]
    public async Task AWrongPasswordIsAnAuthenticationFailureWithTheDaemonsWords()
    {
        var request = new PullRequest
        {
            Source = DaemonAddress.Parse($"rsync://{RsyncDaemonFixture.User}@{daemon.Host}:{daemon.Port}/{DaemonModules.Auth}/"),
            Password = () => "wrong",
            Destination = Path.Combine(_work, "never"),
        };
        var e = await Assert.ThrowsAsync<RsyncException>(() => RsyncClient.PullAsync(request));
        Assert.Equal(RsyncErrorKind.AuthenticationFailed, e.Kind);
        Assert.StartsWith("@ERROR: auth failed", e.RemoteMessage);
        Assert.False(Directory.Exists(Path.Combine(_work, "never")));
    }

    [Fact]
    public async Task CopyCopiesLocallyAndRaisesProgress()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string dest = Path.Combine(_work, "copy");
        var events = new Recorder();
        TransferResult result = await RsyncClient.CopyAsync(new LocalCopyRequest
        {
            Sources = [src + "/"],
            Destination = dest,
            Options = TransferOptions.Archive with { HardLinks = true, Progress = true },
        }, events);
        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        TreeAssert.Equal(src, dest, nanoseconds: true);
        Assert.Contains(events.Progress, p => p.Name == "sub/deeper/file.txt" && p.BytesDone == p.FileSize);
    }

    [Fact]
    public async Task DeletionsArriveAsValuesOnPushAndPull()
    {
        string src = Path.Combine(_work, "del-src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "keep"), "k");
        string name = $"client-del-{Guid.NewGuid():N}";
        string remote = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        Directory.CreateDirectory(Path.Combine(remote, "gone-dir"));
        File.WriteAllText(Path.Combine(remote, "gone-file"), "x");
        var push = new Recorder();
        await RsyncClient.PushAsync(new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Verbose = 1 },
        }, push);
        // A remote receiver's MSG_DELETED tells only the type (io.c: read_a_msg logs S_IFREG or S_IFDIR).
        Assert.Equal([new TransferDeletion("gone-file", false, 0x8000), new TransferDeletion("gone-dir", true, 0x4000)],
            push.Deletions.OrderBy(d => d.IsDirectory));
        Assert.DoesNotContain(push.Messages, m => m.Text.StartsWith("deleting", StringComparison.Ordinal));

        string local = Path.Combine(_work, "del-local");
        Directory.CreateDirectory(Path.Combine(local, "extra-dir"));
        File.WriteAllText(Path.Combine(local, "extra"), "e");
        var pull = new Recorder();
        await RsyncClient.PullAsync(new PullRequest
        {
            Source = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Destination = local,
            Options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Verbose = 1 },
        }, pull);
        // This side deleted them: their own modes.
        Assert.Equal([("extra", false), ("extra-dir", true)], pull.Deletions.OrderBy(d => d.IsDirectory).Select(d => (d.Name, d.IsDirectory)));
        Assert.Equal([0x8000, 0x4000], pull.Deletions.OrderBy(d => d.IsDirectory).Select(d => d.Mode & 0xF000));
        Assert.All(pull.Deletions, d => Assert.NotEqual(0, d.Mode & 0x1FF));
        Assert.False(Directory.Exists(Path.Combine(local, "extra-dir")));
    }

    [Fact]
    public async Task ItemizedChangesAndListingEntriesArriveAsValues()
    {
        string src = Path.Combine(_work, "items-src");
        Directory.CreateDirectory(Path.Combine(src, "dir"));
        File.WriteAllBytes(Path.Combine(src, "dir", "data.bin"), new byte[1234]);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "dir/data.bin");
        string name = $"client-items-{Guid.NewGuid():N}";
        var push = new Recorder();
        TransferResult pushed = await RsyncClient.PushAsync(new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive with { ItemizeChanges = 1 },
        }, push);
        Assert.Equal(TransferOutcome.Complete, pushed.Outcome);
        // The file: new, sent by us, its kind, size and name as values (the command line prints "<f+++++++++ dir/data.bin").
        ItemizedChange file = Assert.Single(push.Items, i => i.Name == "dir/data.bin");
        Assert.Equal(EntryKind.File, file.Kind);
        Assert.Equal(1234, file.Size);
        Assert.True(file.Sent);
        Assert.True(file.Changes.HasFlag(ItemChanges.Transfer) && file.Changes.HasFlag(ItemChanges.IsNew), file.Changes.ToString());
        Assert.Equal("<f+++++++++ dir/data.bin", Cli.Output.ItemLine.Format(file, itemize: true));
        ItemizedChange link = Assert.Single(push.Items, i => i.Name == "link");
        Assert.Equal((EntryKind.Symlink, "dir/data.bin"), (link.Kind, link.LinkTarget));
        Assert.Contains(push.Items, i => i.Name == "dir" && i.Kind == EntryKind.Directory);
        Assert.DoesNotContain(push.Messages, m => m.Text.Contains("data.bin", StringComparison.Ordinal));

        // A pull with no destination lists the module path: one entry per file-list entry, as values.
        var list = new Recorder();
        TransferResult listed = await RsyncClient.PullAsync(new PullRequest
        {
            Source = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive,
        }, list);
        Assert.Equal(TransferOutcome.Complete, listed.Outcome);
        Assert.Equal([".", "dir", "dir/data.bin", "link"], list.Listed.Select(e => e.Name).Order(StringComparer.Ordinal));
        ListingEntry data = list.Listed.Single(e => e.Name == "dir/data.bin");
        Assert.Equal((EntryKind.File, 1234L), (data.Kind, data.Size));
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(src, "dir", "data.bin")).Ticks / TimeSpan.TicksPerSecond,
            data.ModTime.UtcTicks / TimeSpan.TicksPerSecond);
        Assert.Equal("dir/data.bin", list.Listed.Single(e => e.Name == "link").LinkTarget);
    }

    [Fact]
    public async Task CancellingAPushEndsItWithOperationCanceled()
    {
        string src = Path.Combine(_work, "big");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, "big.bin"), new byte[64 << 20]);
        var request = new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/cancel-{Guid.NewGuid():N}/"),
            Options = TransferOptions.Archive with { Progress = true },
        };
        using var cancel = new CancellationTokenSource();
        var events = new CancelOnFirstProgress(cancel);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RsyncClient.PushAsync(request, events, cancel.Token));
    }

    private sealed class CancelOnFirstProgress(CancellationTokenSource cancel) : ITransferEvents
    {
        public void OnProgress(TransferProgress progress) => cancel.Cancel();
    }
}
