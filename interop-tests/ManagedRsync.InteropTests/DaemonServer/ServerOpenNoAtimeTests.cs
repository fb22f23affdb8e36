using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// --open-noatime on the daemon's side: a stock rsync 3.5.0 client pulls from and pushes to `rsync --daemon` and
/// `mrsync daemon` serving the same modules (<see cref="OptionModules"/>), with and without the option, and from modules
/// whose "open noatime" overrules the client either way (clientserver.c: rsync_module). The access times left in the
/// module (the sending daemon's source, the receiving daemon's destination: basis files read for a delta or a checksum,
/// directories listed for --delete), the client's output, exit code and the pulled or pushed tree must be stock's.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerOpenNoAtimeTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srv-noatime-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _work]).GetAwaiter().GetResult();

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d, string module) => Path.Combine(d.ModulePath(module), _id);

    [Theory]
    [InlineData(OptionModules.Writable, "-a -i")]
    [InlineData(OptionModules.Writable, "-a -i --open-noatime")]
    [InlineData(OptionModules.Writable, "-a -i -c --open-noatime")]
    [InlineData(OptionModules.NoAtime, "-a -i")]
    [InlineData(OptionModules.AtimeMoves, "-a -i --open-noatime")]
    public async Task A_pull_reads_the_module_as_stocks_daemon_reads_it(string module, string options)
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            OpenNoAtimeTests.WriteSource(Path.Combine(Mine(d, module), "src"));
            OpenNoAtimeTests.WriteDestination(Path.Combine(_work, Name(d), "dest"));
            await OpenNoAtimeTests.AgeAccessTimesAsync(Path.Combine(Mine(d, module), "src"));
        }
        var results = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
            results.Add(await d.RunRsyncAsync([.. options.Split(' '), $"{d.Url}{module}/{_id}/src/", Path.Combine(_work, Name(d), "dest") + "/"]));
        AssertSame(results[0], results[1]);
        string times = OpenNoAtimeTests.AccessTimes(Path.Combine(Mine(ours, module), "src"));
        Assert.Equal(OpenNoAtimeTests.AccessTimes(Path.Combine(Mine(stock, module), "src")), times);
        bool noAtime = module == OptionModules.NoAtime || (module != OptionModules.AtimeMoves && options.Contains("--open-noatime", StringComparison.Ordinal));
        Assert.Equal(!noAtime, times.Contains("new.txt RECENT", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OptionModules.Writable, "-a -i -c --delete --no-W", "same.txt")]
    [InlineData(OptionModules.Writable, "-a -i -c --delete --no-W --open-noatime", "same.txt")]
    [InlineData(OptionModules.Writable, "-rlt -i --inplace --no-W", "changed.txt")]
    [InlineData(OptionModules.Writable, "-rlt -i --inplace --no-W --open-noatime", "changed.txt")]
    [InlineData(OptionModules.NoAtime, "-a -i -c --delete --no-W", "same.txt")]
    public async Task A_push_reads_the_destination_as_stocks_daemon_reads_it(string module, string options, string read)
    {
        string src = Path.Combine(_work, "src");
        OpenNoAtimeTests.WriteSource(src);
        foreach (RsyncDaemonFixture d in Both)
        {
            OpenNoAtimeTests.WriteDestination(Path.Combine(Mine(d, module), "dest"));
            await OpenNoAtimeTests.AgeAccessTimesAsync(Path.Combine(Mine(d, module), "dest"));
        }
        var results = new List<ProcessResult>();
        foreach (RsyncDaemonFixture d in Both)
            results.Add(await d.RunRsyncAsync([.. options.Split(' '), src + "/", $"{d.Url}{module}/{_id}/dest/"]));
        // The access times first: a snapshot reads every file.
        string times = OpenNoAtimeTests.AccessTimes(Path.Combine(Mine(ours, module), "dest"));
        Assert.Equal(OpenNoAtimeTests.AccessTimes(Path.Combine(Mine(stock, module), "dest")), times);
        AssertSame(results[0], results[1]);
        Assert.Equal(OptionScenario.Snapshot(Path.Combine(Mine(stock, module), "dest")), OptionScenario.Snapshot(Path.Combine(Mine(ours, module), "dest")));
        // The file read (the unchanged one for its checksum, or the basis written in place) shows it only without the
        // option.
        bool noAtime = module == OptionModules.NoAtime || options.Contains("--open-noatime", StringComparison.Ordinal);
        Assert.True(noAtime != times.Contains(read + " RECENT", StringComparison.Ordinal), $"{times}\n{results[1]}");
    }

    private string Name(RsyncDaemonFixture d) => ReferenceEquals(d, stock) ? "stock" : "ours";

    private void AssertSame(ProcessResult s, ProcessResult o)
    {
        Assert.True(s.ExitCode == o.ExitCode && o.ExitCode == 0, $"exit codes\n{s}\n{o}\n--- mrsync log ---\n{ours.DaemonLog}");
        Assert.Equal(Normalize(s.Stdout), Normalize(o.Stdout));
        Assert.Equal(OptionScenario.Snapshot(Path.Combine(_work, "stock", "dest")), OptionScenario.Snapshot(Path.Combine(_work, "ours", "dest")));
    }

    private string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root);
}
