using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// The --info flags a stock rsync 3.5.0 client sends a daemon (options.c: server_options with make_output_option: those
/// the user set that the server's side uses) against `rsync --daemon` and `mrsync daemon` serving the same modules: a
/// daemon caps them at its module's "max verbosity", 1 by default (clientserver.c: rsync_module,
/// limit_output_verbosity), and prints what is left on its side. The client's output, exit code and the trees must be
/// the same; a flag our server's side would not print as stock's does is refused by name.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerInfoFlagsTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvinfo-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d, string path) => $"{d.Url}{OptionModules.Writable}/{_id}/{path}";

    private static void Write(string root, string name, string text)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, Old);
    }

    // A tree with an existing file, a new one in a directory, and a name only the destination has; every directory
    // dated the same on both sides, so that what is itemized does not depend on the moment of the run. The source's
    // "d" is made before "a": stock's sender lists a directory's entries in readdir order and ours in sorted order
    // (protocol-notes §91), which changes the list's size (compared here) when they differ; made in this order both
    // ext4 (hash order) and tmpfs (newest first), where CI runs the tests, read "a" before "d".
    private static void Tree(string root, bool destination)
    {
        if (!destination)
        {
            Write(root, "d/b", "b\n");
            Directory.SetLastWriteTimeUtc(Path.Combine(root, "d"), Old);
        }
        Write(root, "a", destination ? "old\n" : "new\n");
        if (destination)
            Write(root, "gone", "only here\n");
        Directory.SetLastWriteTimeUtc(root, Old);
    }

    // Rates and times differ between any two runs; the byte counts do not, and are compared: "sent N bytes received M
    // bytes", "File list size" and, on a pull, "Total bytes sent/received" (the server's own figures, main.c:
    // handle_stats: counted from the end of setup_protocol, with the frames its flushes made).
    private string Normalize(string text)
    {
        text = Regex.Replace(text, @"(?m)^(sent [\d,]+ bytes  received [\d,]+ bytes)  [\d,.]+ bytes/sec$", "$1  RATE");
        text = DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root);
        text = Regex.Replace(text, @"[\d.]+[kMG]?B/s", "RATE");
        text = Regex.Replace(text, @"\d+:\d\d:\d\d", "TIME");
        text = Regex.Replace(text, @"(?m)^(File list (generation|transfer) time): [\d.,]+ seconds$", "$1: N seconds");
        return text;
    }

    private async Task<(ProcessResult Stock, ProcessResult Ours)> RunBothAsync(bool pull, string[] options)
    {
        var results = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
        {
            string module = Mine(d);
            string local = Path.Combine(_work, d == stock ? "stock" : "ours");
            Tree(pull ? Path.Combine(module, "src") : Path.Combine(local, "src"), destination: false);
            Tree(pull ? Path.Combine(local, "dest") : Path.Combine(module, "dest"), destination: true);
            results.Add(pull
                ? await d.RunRsyncAsync(["-a", .. options, Url(d, "src/"), Path.Combine(local, "dest") + "/"])
                : await d.RunRsyncAsync(["-a", .. options, Path.Combine(local, "src") + "/", Url(d, "dest/")]));
        }
        return (results[0], results[1]);
    }

    // Directories' times are not compared: with -b alone a new directory keeps the moment it was made (-b implies
    // --omit-dir-times), which differs between the two runs by nature.
    private string TreeOf(RsyncDaemonFixture d, bool pull) => TreeSnapshot.Of(
        pull ? Path.Combine(_work, d == stock ? "stock" : "ours", "dest") : Path.Combine(Mine(d), "dest"), rootTimes: false,
        directoryTimes: false);

    [Theory]
    [InlineData(false, "--info=stats2,progress2")]
    [InlineData(true, "--info=stats2,progress2")]
    [InlineData(true, "--stats", "--delete")]
    [InlineData(false, "--stats", "--delete")]
    [InlineData(false, "--info=del", "--delete")]
    [InlineData(true, "--info=del", "--delete")]
    [InlineData(false, "-v", "--info=del0", "--delete")]
    [InlineData(true, "-v", "--info=del0", "--delete")]
    [InlineData(false, "--info=skip", "--ignore-existing")]
    [InlineData(true, "--info=skip", "--ignore-existing")]
    [InlineData(false, "--info=skip2", "--ignore-existing")]
    [InlineData(false, "--info=name0", "-v")]
    [InlineData(true, "--info=name0", "-v")]
    [InlineData(false, "--info=name2", "-i")]
    [InlineData(true, "--info=name2", "-i")]
    [InlineData(false, "--info=backup", "-b")]
    [InlineData(false, "--info=copy")]
    [InlineData(false, "--info=flist2,misc2", "-v")]
    [InlineData(true, "--info=flist2,misc2", "-v")]
    [InlineData(false, "--info=nonreg")]
    [InlineData(true, "--info=remove", "--remove-source-files", "-n")]
    public async Task The_info_flags_a_stock_client_sends_are_honoured_as_stocks_daemon_honours_them(bool pull, params string[] options)
    {
        var (stockRun, ourRun) = await RunBothAsync(pull, options);

        Assert.True(stockRun.ExitCode == 0, stockRun.ToString());
        Assert.True(ourRun.ExitCode == 0, $"{ourRun}\n--- mrsync log ---\n{ours.DaemonLog}");
        Assert.Equal(Normalize(stockRun.Stdout), Normalize(ourRun.Stdout));
        Assert.Equal(Normalize(stockRun.Stderr), Normalize(ourRun.Stderr));
        Assert.Equal(TreeOf(stock, pull), TreeOf(ours, pull));
    }

}
