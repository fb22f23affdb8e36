using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Push;

/// <summary>`mrsync` command lines as users run them against the stock daemon, compared with stock rsync's.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class PushCliInteropTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-pushcli-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task SeedCommandLineWorksUnchanged()
    {
        // rsync -avz --delete /data/ user@host::module --password-file=F (plus --port for the fixture).
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"cli-{Guid.NewGuid():N}";
        string dst = Path.Combine(daemon.ModulePath(DaemonModules.Auth), name);
        Directory.CreateDirectory(dst);
        File.WriteAllText(Path.Combine(dst, "stale"), "to be deleted");
        ProcessResult r = await daemon.RunMrsyncAsync(
            ["-avz", "--delete", src + "/", $"{RsyncDaemonFixture.User}@{daemon.Host}::{DaemonModules.Auth}/{name}",
             $"--password-file={daemon.PasswordFile}", "--port", daemon.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(r.ExitCode == 0, daemon.Explain(r));
        TreeAssert.Equal(src, dst, nanoseconds: true, hardLinks: false);
        Assert.Contains("deleting stale", r.Stdout);
        Assert.Contains("medium.bin", r.Stdout);
        Assert.Matches(SentLine(), r.Stdout);
        Assert.Contains("total size is ", r.Stdout);
    }

    [Fact]
    public async Task DryRunChangesNothing()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"dry-{Guid.NewGuid():N}";
        ProcessResult r = await daemon.RunMrsyncAsync(["-an", "-i", src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"]);
        Assert.True(r.ExitCode == 0, daemon.Explain(r));
        Assert.Contains("<f+++++++++ medium.bin", r.Stdout);
        Assert.False(File.Exists(Path.Combine(daemon.ModulePath(DaemonModules.Open), name, "medium.bin")));
    }

    [Fact]
    public async Task ProgressNamesEachFileThenUpdatesOneLine()
    {
        string src = Path.Combine(_work, "progress");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, "a.bin"), new byte[300_000]);
        File.WriteAllBytes(Path.Combine(src, "b.bin"), new byte[1000]);
        ProcessResult stock = await daemon.RunRsyncAsync(["-a", "--progress", src + "/", $"{daemon.Url}{DaemonModules.Open}/progress-stock-{Guid.NewGuid():N}/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--progress", src + "/", $"{daemon.Url}{DaemonModules.Open}/progress-mine-{Guid.NewGuid():N}/"]);
        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        // Lines without the numbers that depend on timing: "name", "\r<bytes> 100% ... (xfr#N, to-chk=R/T)".
        static string Shape(string output) => Regex.Replace(output, @"\r\s+([\d,]+)\s+(\d+)%[^\r\n]*?(\(xfr#\d+, to-chk=\d+/\d+\))?(?=\r|\n)",
            m => m.Groups[3].Success ? $"[{m.Groups[1].Value} {m.Groups[2].Value}% {m.Groups[3].Value}]" : "");
        // From the first file on (the file-list lines before it differ: stock rsync recurses incrementally).
        static string Files(string output) => output[Math.Max(0, output.IndexOf("a.bin\n", StringComparison.Ordinal))..];
        Assert.Equal(Shape(Files(stock.Stdout)), Shape(Files(mine.Stdout)));
        Assert.Contains("a.bin\n", mine.Stdout);
        Assert.Contains("[300,000 100% (xfr#1, to-chk=1/3)]", Shape(mine.Stdout));
    }

    [Fact]
    public async Task ReadOnlyModuleShowsTheDaemonsMessage()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", src + "/", $"{daemon.Url}{DaemonModules.ReadOnly}/"]);
        ProcessResult stock = await daemon.RunRsyncAsync(["-a", src + "/", $"{daemon.Url}{DaemonModules.ReadOnly}/"]);
        Assert.True(mine.ExitCode == stock.ExitCode, daemon.Explain(mine, stock));
        Assert.Contains("read only", mine.Stderr);
    }

    [Fact]
    public async Task DeltaMatchesStockRsyncOnA64MiBFile()
    {
        // One 64 MiB file, copied to two places on the daemon; then 16 scattered 1 KiB edits; stock rsync updates one
        // copy and mrsync the other, both with --stats.
        var rng = new Random(7);
        (string src, string file, byte[] content) = SourceTree.OldRandomFile(Path.Combine(_work, "big"), 64 << 20, rng);
        string stockName = $"delta-stock-{Guid.NewGuid():N}", mineName = $"delta-mine-{Guid.NewGuid():N}";
        string stockUrl = $"{daemon.Url}{DaemonModules.Open}/{stockName}/", mineUrl = $"{daemon.Url}{DaemonModules.Open}/{mineName}/";
        Assert.Equal(0, (await daemon.RunRsyncAsync(["-a", src + "/", stockUrl])).ExitCode);
        Assert.Equal(0, (await daemon.RunRsyncAsync(["-a", src + "/", mineUrl])).ExitCode);

        for (int i = 0; i < 16; i++)
        {
            int at = rng.Next(content.Length - 1024);
            rng.NextBytes(content.AsSpan(at, 1024));
        }
        File.WriteAllBytes(file, content);

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", "--stats", src + "/", stockUrl]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--stats", src + "/", mineUrl]);
        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(daemon.ModulePath(DaemonModules.Open), mineName, "data.bin")));

        Assert.Equal(Stat(stock.Stdout, "Literal data"), Stat(mine.Stdout, "Literal data"));
        Assert.Equal(Stat(stock.Stdout, "Matched data"), Stat(mine.Stdout, "Matched data"));
        long stockSent = Stat(stock.Stdout, "Total bytes sent"), mineSent = Stat(mine.Stdout, "Total bytes sent");
        Assert.True(Math.Abs(mineSent - stockSent) <= stockSent / 10, $"sent {mineSent} bytes, stock rsync {stockSent}\n{daemon.Explain(stock, mine)}");
        Assert.True(mineSent < content.Length / 50, $"a delta of 16 KiB should not cost {mineSent} bytes");
    }

    private static long Stat(string output, string label)
    {
        Match m = Regex.Match(output, "^" + Regex.Escape(label) + @": ([\d,]+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{label}' in:\n{output}");
        return long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"sent [\d,]+ bytes  received [\d,]+ bytes  [\d,.]+ bytes/sec")]
    private static partial Regex SentLine();
}
