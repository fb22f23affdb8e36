using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// Filter options on mrsync's command line against the stock daemon, each beside stock rsync doing the same: -C and
/// -F/-FF on push and pull, and a pull with --delete that must keep the local names the rules exclude.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class CommandLineFilterTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-clifilter-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    // -C reads $HOME/.cvsignore and $CVSIGNORE: both sides get an empty home and no extra words.
    private Dictionary<string, string?> Environment => new() { ["HOME"] = _work, ["CVSIGNORE"] = "" };

    private static readonly string[] CvsTree =
        ["x.c", "x.o", "core", "tags", "lib.so", ".git/config", "sub/y.o", "sub/z.c", "sub/#edit#", "sub/keep.txt"];

    private static readonly (string Name, string Text)[] FilterFileTree =
    [
        (".rsync-filter", "- *.tmp\n"), ("a.tmp", "t"), ("a.txt", "a"),
        ("sub/.rsync-filter", "- *.log\n"), ("sub/b.log", "l"), ("sub/b.txt", "b"), ("sub/c.tmp", "t"),
    ];

    public static TheoryData<string[]> PushFilterOptions() => new()
    {
        new[] { "-C" },
        new[] { "-F" },
        new[] { "-FF" },
        new[] { "--exclude=sub/", "-C" },
    };

    [Theory]
    [MemberData(nameof(PushFilterOptions))]
    public async Task PushSendsWhatStockRsyncSends(string[] options)
    {
        string src = Path.Combine(_work, "src");
        CreateTree(src, CvsTree.Select(n => (n, n)).Concat(FilterFileTree));
        string stockName = "stock-" + Guid.NewGuid().ToString("N")[..12], mineName = "mine-" + Guid.NewGuid().ToString("N")[..12];

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", .. options, src + "/", $"{daemon.Url}{DaemonModules.Open}/{stockName}/"], Environment);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", .. options, src + "/", $"{daemon.Url}{DaemonModules.Open}/{mineName}/"], Environment);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        string[] expected = Names(Path.Combine(daemon.ModulePath(DaemonModules.Open), stockName));
        Assert.True(expected.Length < CvsTree.Length + FilterFileTree.Length, "the options should have excluded something");
        Assert.Equal(expected, Names(Path.Combine(daemon.ModulePath(DaemonModules.Open), mineName)));
    }

    [Theory]
    [InlineData("-C")]
    [InlineData("-F")]
    public async Task PullReceivesWhatStockRsyncReceives(string option)
    {
        string module = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "clifilter-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            CreateTree(module, CvsTree.Select(n => (n, n)).Concat(FilterFileTree));
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(module)}/";
            string stockDst = Path.Combine(_work, "stock"), mineDst = Path.Combine(_work, "mine");

            ProcessResult stock = await daemon.RunRsyncAsync(["-a", option, url, stockDst + "/"], Environment);
            ProcessResult mine = await daemon.RunMrsyncAsync(["-a", option, url, mineDst + "/"], Environment);

            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
            string[] expected = Names(stockDst);
            Assert.True(expected.Length < Names(module).Length, "the option should have excluded something");
            Assert.Equal(expected, Names(mineDst));
        }
        finally
        {
            Directory.Delete(module, recursive: true);
        }
    }

    public static TheoryData<string[]> PullDeleteOptions() => new()
    {
        new[] { "--exclude=*.o" },
        new[] { "--exclude=*.o", "--delete-excluded" },
        new[] { "-f", "P gone/", "--exclude=*.tmp" },
        new[] { "-C" },
    };

    [Theory]
    [MemberData(nameof(PullDeleteOptions))]
    public async Task PullWithDeleteKeepsWhatTheRulesExclude(string[] options)
    {
        // rsync's receiver protects the names its rules exclude from --delete, also inside a directory it removes.
        string module = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "clidelete-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            CreateTree(module, [("a.txt", "a"), ("keep/k.txt", "k")]);
            string[] local = ["a.txt", "extra.o", "extra.txt", "extra.tmp", "core", "keep/old.o", "keep/old.txt", "gone/x.o", "gone/y.txt", "gone/z.tmp"];
            string stockDst = Path.Combine(_work, "stock"), mineDst = Path.Combine(_work, "mine");
            CreateTree(stockDst, local.Select(n => (n, "old " + n)));
            CreateTree(mineDst, local.Select(n => (n, "old " + n)));
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(module)}/";

            ProcessResult stock = await daemon.RunRsyncAsync(["-a", "--delete", .. options, url, stockDst + "/"], Environment);
            ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--delete", .. options, url, mineDst + "/"], Environment);

            Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
            string[] expected = Names(stockDst);
            Assert.Equal(expected, Names(mineDst));
            Assert.Equal("a", File.ReadAllText(Path.Combine(mineDst, "a.txt")));
            Assert.DoesNotContain("extra.txt", expected); // --delete did delete something
        }
        finally
        {
            Directory.Delete(module, recursive: true);
        }
    }

    private static void CreateTree(string root, IEnumerable<(string Name, string Text)> files)
    {
        foreach (var (name, text) in files)
        {
            string path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            File.SetLastWriteTimeUtc(path, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
    }

    /// <summary>Every file and directory under <paramref name="root"/>, relative, sorted (directories end in '/').</summary>
    private static string[] Names(string root) =>
        Directory.Exists(root)
            ? Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                .Select(p => Path.GetRelativePath(root, p) + (Directory.Exists(p) ? "/" : ""))
                .Order(StringComparer.Ordinal).ToArray()
            : [];
}
