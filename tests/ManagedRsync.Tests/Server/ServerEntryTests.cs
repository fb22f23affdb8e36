using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Server;
using ManagedRsync.Session;
using ManagedRsync.Transports;
using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// The server entry (main.c: start_server) under mrsync's own client roles over the in-memory pipe: a pull runs the
/// sending server (do_server_sender), a push the receiving one (do_server_recv), a refused option reaches the client
/// as stock's error, and a confined server reads and writes nothing outside its root.
/// </summary>
public sealed class ServerEntryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-serverentry-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Make(string name, params string[] files) => ScratchTree.Make(_root, name, f => "content of " + f, files);

    private static ServerSettings Module(string root) => new() { Root = root, Confined = true, ModuleName = "mod" };

    // The client's half over one end of a pipe, the server entry over the other.
    private static async Task<(TransferResult Client, RsyncExitCode Server)> RunAsync(TransferOptions options, bool pull,
        IReadOnlyList<string> remotePaths, ServerSettings settings, RecordingLog log, Func<Connection, Task<TransferResult>> client)
    {
        (Stream clientEnd, Stream serverEnd) = LocalPipe.Create();
        List<string> argv = ServerArguments.Build(options, daemonSends: pull, remotePaths);
        Task<RsyncExitCode> server = Task.Run(async () =>
        {
            try
            {
                return await RsyncServer.RunAsync(serverEnd, argv, settings, default);
            }
            finally
            {
                serverEnd.Dispose();
            }
        });
        TransferResult result;
        try
        {
            await using var connection = new Connection(clientEnd, isServer: false, log);
            await connection.SetupClientAsync(knownProtocol: null, options, weSend: true, default);
            connection.StartMultiplexing(default);
            result = await client(connection).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            clientEnd.Dispose();
        }
        return (result, await server.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(32)]
    public async Task A_pull_runs_the_sending_server(int protocol)
    {
        string module = Make("module", "a", "d/b", "d/e/c");
        File.WriteAllBytes(Path.Combine(module, "big"), Enumerable.Range(0, 200_000).Select(i => (byte)(i * 13)).ToArray());
        string dest = Make("dest", "d/b", "stale");
        var options = TransferOptions.Archive with { Protocol = protocol, Delete = DeleteTiming.Default, Stats = true };
        var log = new RecordingLog();

        (TransferResult client, RsyncExitCode server) = await RunAsync(options, pull: true, ["mod/"], Module(module), log,
            c => new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log).RunAsync(c, exchangeFilters: true, default));

        Assert.Equal(RsyncExitCode.Ok, client.ExitCode);
        Assert.Equal(RsyncExitCode.Ok, server);
        foreach (string f in new[] { "a", "d/b", "d/e/c", "big" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(module, f)), File.ReadAllBytes(Path.Combine(dest, f)));
        Assert.False(File.Exists(Path.Combine(dest, "stale")));
        // main.c: handle_stats — the sending server's totals reach the client.
        Assert.Equal(new FileInfo(Path.Combine(module, "big")).Length + 3 * 0 + "content of a".Length + "content of d/b".Length + "content of d/e/c".Length,
            client.Stats.TotalSize);
    }

    // A file of at most CHUNK_SIZE (32 KiB) sent whole goes from the file straight into the output buffer (SenderRole
    // SendSmallWhole), one larger or with block sums through the token encoder: the receiver gets the same tokens and
    // whole-file sum either way (a wrong sum would redo the file, and fail it again).
    [Theory]
    [InlineData(29)]
    [InlineData(32)]
    public async Task A_pull_sends_files_whole_on_either_side_of_the_chunk_size_and_by_delta(int protocol)
    {
        int[] sizes = [0, 1, 4096, 32767, 32768, 32769, 65540, 100_000];
        string module = Make("module");
        foreach (int size in sizes)
            File.WriteAllBytes(Path.Combine(module, $"f{size}"), Enumerable.Range(0, size).Select(i => (byte)(i * 7 + size)).ToArray());
        byte[] changed = Enumerable.Range(0, 20_000).Select(i => (byte)(i % 251)).ToArray();
        File.WriteAllBytes(Path.Combine(module, "changed"), changed);
        string dest = Make("dest");
        byte[] old = (byte[])changed.Clone();
        old[10_000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(dest, "changed"), old);
        File.SetLastWriteTimeUtc(Path.Combine(dest, "changed"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var options = TransferOptions.Archive with { Protocol = protocol, Stats = true };
        var log = new RecordingLog();

        (TransferResult client, RsyncExitCode server) = await RunAsync(options, pull: true, ["mod/"], Module(module), log,
            c => new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log).RunAsync(c, exchangeFilters: true, default));

        Assert.Equal(RsyncExitCode.Ok, client.ExitCode);
        Assert.Equal(RsyncExitCode.Ok, server);
        foreach (string name in sizes.Select(s => $"f{s}").Append("changed"))
            Assert.Equal(File.ReadAllBytes(Path.Combine(module, name)), File.ReadAllBytes(Path.Combine(dest, name)));
        // Every new file's bytes came as literal data; the changed file's blocks but one matched.
        Assert.True(client.Stats.MatchedData > 0);
        Assert.InRange(client.Stats.LiteralData, sizes.Sum(), sizes.Sum() + changed.Length / 2);
    }

    [Fact]
    public async Task A_push_runs_the_receiving_server_into_a_subdirectory()
    {
        string src = Make("src", "x", "y/z");
        string module = Make("module", "sub/old");
        var options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Verbose = 1 };
        var log = new RecordingLog();

        TransferResult client;
        RsyncExitCode server;
        try
        {
            (client, server) = await RunAsync(options, pull: false, ["mod/sub/"], Module(module), log,
                c => new SenderRole(new SendSource([src + "/"], null, null, null, null), options, log, null).RunAsync(c, localServer: false, default));
        }
        catch (RsyncException e)
        {
            throw new InvalidOperationException(e.Message + "\n" + string.Join('\n', log.All), e);
        }

        Assert.True(client.ExitCode == RsyncExitCode.Ok, string.Join('\n', log.All));
        Assert.Equal(RsyncExitCode.Ok, server);
        Assert.Equal("content of y/z", File.ReadAllText(Path.Combine(module, "sub", "y", "z")));
        Assert.False(File.Exists(Path.Combine(module, "sub", "old")));
        Assert.Contains("deleting old", log.All);
    }

    // main.c: get_local_name says "created directory NAME" when it makes the destination (with -v or -i); a daemon's
    // server sends it to the client and, as every FINFO line (log.c: rwrite calls logit when am_daemon), writes it to
    // its log file, after "receiving file list" and before the totals. A line the client alone prints is not logged.
    [Fact]
    public async Task A_daemon_logs_the_directory_it_made_as_it_tells_the_client()
    {
        string src = Make("src", "x", "y/z");
        string module = Make("module");
        var options = TransferOptions.Archive with { ItemizeChanges = 1 };
        var log = new RecordingLog();
        var daemonLog = new List<string>();
        var settings = Module(module) with { Log = line => { lock (daemonLog) daemonLog.Add(line); } };

        (TransferResult client, RsyncExitCode server) = await RunAsync(options, pull: false, ["mod/new/"], settings, log,
            c => new SenderRole(new SendSource([src + "/"], null, null, null, null), options, log, null).RunAsync(c, localServer: false, default));

        Assert.True(client.ExitCode == RsyncExitCode.Ok, string.Join('\n', log.All));
        Assert.Equal(RsyncExitCode.Ok, server);
        Assert.Equal("content of y/z", File.ReadAllText(Path.Combine(module, "new", "y", "z")));
        Assert.Contains("created directory new", log.All);
        Assert.Equal(["receiving file list", "created directory new"], daemonLog.Take(2));
        Assert.StartsWith("sent ", daemonLog[^1], StringComparison.Ordinal);
        Assert.Equal(3, daemonLog.Count);
    }

    [Fact]
    public async Task A_refused_option_reaches_the_client_with_stock_wording_and_exit_4()
    {
        string module = Make("module", "a");
        string dest = Make("dest");
        var options = TransferOptions.Archive;
        var log = new RecordingLog();
        var settings = Module(module) with { RefuseOptions = "times" };

        var error = await Assert.ThrowsAsync<RsyncException>(() => RunAsync(options, pull: true, ["mod/"], settings, log,
            c => new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log).RunAsync(c, exchangeFilters: true, default)));

        Assert.Equal(RsyncExitCode.Unsupported, error.ExitCode);
        Assert.Contains("E rsync: The server is configured to refuse --times (-t)", log.All);
        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_fault_of_the_server_reaches_the_client_and_the_log_in_words_with_exit_15(bool pull)
    {
        string src = Make("src", "x");
        string module = Make("module", "a");
        string dest = Make("dest");
        var options = TransferOptions.Archive;
        var log = new RecordingLog();
        // The fault is planted in the module's log: the first line of the transfer proper throws what no part of the
        // run expects, as a bug of ours would.
        var daemonLog = new List<string>();
        bool planted = false;
        var settings = Module(module) with
        {
            Log = line =>
            {
                if (!planted && line is "building file list" or "receiving file list")
                {
                    planted = true;
                    throw new InvalidOperationException("planted fault");
                }
                daemonLog.Add(line);
            },
        };

        var error = await Assert.ThrowsAsync<RsyncException>(() => pull
            ? RunAsync(options, pull: true, ["mod/"], settings, log,
                c => new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log).RunAsync(c, exchangeFilters: true, default))
            : RunAsync(options, pull: false, ["mod/"], settings, log,
                c => new SenderRole(new SendSource([src + "/"], null, null, null, null), options, log, null).RunAsync(c, localServer: false, default)));

        Assert.True(planted);
        Assert.Equal(RsyncExitCode.Crashed, error.ExitCode);
        Assert.Contains("E rsync: internal error in mrsync (InvalidOperationException): planted fault", log.All);
        Assert.Contains("internal error in mrsync (InvalidOperationException): planted fault", daemonLog);
        Assert.Empty(Directory.GetFileSystemEntries(dest));
        Assert.Equal(["a"], Directory.GetFileSystemEntries(module).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_read_only_module_refuses_a_push()
    {
        string src = Make("src", "x");
        string module = Make("module");
        var options = TransferOptions.Archive;
        var log = new RecordingLog();

        var error = await Assert.ThrowsAsync<RsyncException>(() => RunAsync(options, pull: false, ["mod/"], Module(module) with { ReadOnly = true }, log,
            c => new SenderRole(new SendSource([src + "/"], null, null, null, null), options, log, null).RunAsync(c, localServer: false, default)));

        Assert.Equal(RsyncExitCode.Syntax, error.ExitCode);
        Assert.Contains("E ERROR: module is read only", log.All);
        Assert.Empty(Directory.GetFileSystemEntries(module));
    }

    [Fact]
    public async Task A_confined_server_follows_no_symlink_out_of_its_root()
    {
        string outside = Make("outside", "secret");
        string module = Make("module", "a");
        File.CreateSymbolicLink(Path.Combine(module, "out"), outside);
        string src = Make("src", "secret");
        File.WriteAllText(Path.Combine(src, "secret"), "overwritten");
        string dest = Make("dest");
        var options = TransferOptions.Archive;
        var pushLog = new RecordingLog();

        // A push into "out/" would write through the link.
        var push = await Assert.ThrowsAsync<RsyncException>(() => RunAsync(options, pull: false, ["mod/out/"], Module(module), pushLog,
            c => new SenderRole(new SendSource([src + "/"], null, null, null, null), options, new RecordingLog(), null).RunAsync(c, localServer: false, default)));
        Assert.Equal("content of secret", File.ReadAllText(Path.Combine(outside, "secret")));

        // A pull of "out/" or "out/secret" would read through it.
        foreach (string path in new[] { "mod/out/", "mod/out/secret", "mod/../outside/secret" })
        {
            var log = new RecordingLog();
            RsyncExitCode code;
            try
            {
                code = (await RunAsync(options, pull: true, [path], Module(module), log,
                    c => new ReceivingSide(new ReceiveTarget(dest, RequestedNames.All, Filters: null), options, log).RunAsync(c, exchangeFilters: true, default))).Client.ExitCode;
            }
            catch (RsyncException e)
            {
                code = e.ExitCode;
            }
            Assert.NotEqual(RsyncExitCode.Ok, code);
            Assert.False(File.Exists(Path.Combine(dest, "secret")), path);
        }
        Assert.Equal(RsyncExitCode.FileSelect, push.ExitCode);
    }
}
