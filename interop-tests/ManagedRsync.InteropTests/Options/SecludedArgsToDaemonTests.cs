using System.Text;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// -s/--secluded-args with a daemon address: after "@RSYNCD: OK" stock's client sends "--server", "--sender" and the
/// letters (which start with 's'), an empty word, then "rsync" and every other word unescaped as protected args
/// (clientserver.c: start_inband_exchange, rsync.c: send_protected_args). A wildcard in a --groupmap value therefore
/// arrives as it was written instead of backslash-escaped (rsync's testsuite: daemon-groupmap-wild). Stock's and
/// mrsync's clients run the same command lines against the recording daemon; what each sent must be the same.
/// </summary>
public sealed class SecludedArgsToDaemonTests : IAsyncLifetime
{
    private readonly RecordingDaemon _daemon = new();
    private readonly string _root = StockRsyncRunner.CreateTempDirectory("secluded");
    private int _next;

    public Task InitializeAsync()
    {
        StockRsyncRunner.CreateTree(Path.Combine(_root, "src"), ["a.txt", "sub/b.txt"]);
        Directory.CreateDirectory(Path.Combine(_root, "dst"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Theory]
    [InlineData(true, "", "--groupmap=*:1")]
    [InlineData(true, "dest dir/", "--backup-dir=b *")]
    [InlineData(false, "", "--checksum-choice=md5")]
    [InlineData(false, "sub dir/*.txt", "--checksum-choice=md5")]
    public async Task Secluded_arguments_reach_the_daemon_as_stocks_client_sends_them(bool push, string path, string valued)
    {
        string[] options = ["-s", "-rgb", valued, "--timeout=30"];
        ClientRecord stock = await RecordAsync(push, path, options, mrsync: false);
        ClientRecord mine = await RecordAsync(push, path, options, mrsync: true);
        Assert.NotNull(stock.ProtectedArgs);
        Assert.Equal(Words(stock.Args), Words(mine.Args));
        Assert.Equal(Words(stock.ProtectedArgs), Words(mine.ProtectedArgs!).Select(w => w.Replace(mine.Module, stock.Module, StringComparison.Ordinal)));
        // Unescaped: without -s "--groupmap=*:1" would arrive as "--groupmap=\\*:1" (options.c: safe_arg).
        Assert.Contains(valued.StartsWith("--backup-dir=", StringComparison.Ordinal) ? valued[13..] : valued, Words(mine.ProtectedArgs!));
    }

    private async Task<ClientRecord> RecordAsync(bool push, string path, string[] options, bool mrsync)
    {
        string module = $"{(mrsync ? "ours" : "stock")}{Interlocked.Increment(ref _next)}";
        string url = _daemon.Url(module) + path;
        List<string> args = push
            ? [.. options, Path.Combine(_root, "src") + "/", url]
            : [.. options, url, Path.Combine(_root, "dst") + "/"];
        var environment = new Dictionary<string, string?> { ["RSYNC_PROTECT_ARGS"] = null, ["RSYNC_OLD_ARGS"] = null };
        ProcessResult run = mrsync
            ? await MrsyncProcess.RunAsync(args, environment)
            : await ToolProcess.RunAsync("rsync", args, environment);
        ClientRecord? record = await _daemon.TakeAsync(module);
        Assert.True(record is not null, $"{(mrsync ? "mrsync" : "rsync")} did not open the module:\n{run}");
        return record;
    }

    private static List<string> Words(IEnumerable<byte[]> words) => words.Select(w => Encoding.UTF8.GetString(w)).ToList();
}
