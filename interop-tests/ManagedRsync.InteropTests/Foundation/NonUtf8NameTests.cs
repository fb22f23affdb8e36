using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// File names that are not valid UTF-8 (GBK and Latin-1 names on old file servers): rsync moves names as bytes, and so
/// must mrsync, on push and pull and under --delete, where a name we could not represent would be deleted from the
/// backup.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class NonUtf8NameTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-nonutf8-").FullName;

    private readonly List<string> _moduleDirectories = [];

    // .NET's Directory.Delete cannot remove names that are not UTF-8.
    public void Dispose()
    {
        foreach (string path in _moduleDirectories.Append(_work))
            ToolProcess.RunAsync("rm", ["-rf", path]).GetAwaiter().GetResult();
    }

    private string ModuleDirectory(string name)
    {
        string path = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        _moduleDirectories.Add(path);
        return path;
    }

    private static readonly byte[] Gbk = [.. "gbk-"u8, 0xc4, 0xe3, 0xba, 0xc3, .. ".txt"u8];   // 你好 in GBK
    private static readonly byte[] Latin1 = [.. "caf"u8, 0xe9];                               // café in Latin-1
    private static readonly byte[] Directory1 = [.. "dir"u8, 0xfe];
    private static readonly byte[] Inner = [.. "in"u8, 0xff, .. ".txt"u8];
    private static readonly byte[] Target = [.. "target-"u8, 0xe9];

    private static void CreateSource(string root)
    {
        Directory.CreateDirectory(root);
        RawFiles.Write(root, Gbk, "new gbk content");
        RawFiles.Write(root, Latin1, "latin-1");
        RawFiles.Write(root, "plain.txt"u8.ToArray(), "plain");
        RawFiles.MakeDirectory(root, Directory1);
        RawFiles.Write(root, [.. Directory1, (byte)'/', .. Inner], "inner");
        RawFiles.Symlink(root, Target, "link"u8.ToArray());
    }

    [Fact]
    public async Task PushKeepsTheExactBytesOfEveryName()
    {
        string src = Path.Combine(_work, "src");
        CreateSource(src);
        string stockName = "stock-" + Guid.NewGuid().ToString("N")[..12], mineName = "mine-" + Guid.NewGuid().ToString("N")[..12];

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", src + "/", $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-av", src + "/", $"{daemon.Url}{DaemonModules.Open}/{mineName}/"]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        string stockTree = RawFiles.Describe(ModuleDirectory(stockName));
        Assert.Contains("gbk-\\xc4\\xe3\\xba\\xc3.txt = new gbk content", stockTree);
        Assert.Equal(stockTree, RawFiles.Describe(ModuleDirectory(mineName)));
        Assert.Contains("gbk-\\#304\\#343\\#272\\#303.txt\n", mine.Stdout); // as rsync -v prints it
    }

    [Fact]
    public async Task FilesFromListKeepsTheExactBytesOfEveryName()
    {
        // The list is read as bytes (FilesFrom.Parse), not as UTF-8 text that would mangle these names.
        string src = Path.Combine(_work, "src");
        CreateSource(src);
        string list = Path.Combine(_work, "list");
        File.WriteAllBytes(list, [.. Gbk, (byte)'\n', .. Directory1, (byte)'/', .. Inner, (byte)'\n', .. "plain.txt"u8, (byte)'\n']);
        string stockName = "stock-ff-" + Guid.NewGuid().ToString("N")[..12], mineName = "mine-ff-" + Guid.NewGuid().ToString("N")[..12];

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", "--files-from=" + list, src + "/", $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--files-from=" + list, src + "/", $"{daemon.Url}{DaemonModules.Open}/{mineName}/"]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        string stockTree = RawFiles.Describe(ModuleDirectory(stockName));
        Assert.Contains("in\\xff.txt = inner", stockTree);
        Assert.Equal(stockTree, RawFiles.Describe(ModuleDirectory(mineName)));
    }

    [Fact]
    public async Task DeleteRemovesOnlyWhatTheSourceLacks()
    {
        // The backup already holds the GBK file (from an earlier stock rsync) and an extraneous Latin-1 one.
        string src = Path.Combine(_work, "src");
        CreateSource(src);
        string name = "delete-" + Guid.NewGuid().ToString("N")[..12];
        string dst = ModuleDirectory(name);
        Directory.CreateDirectory(dst);
        RawFiles.Write(dst, Gbk, "older, longer gbk content");
        RawFiles.Write(dst, [.. "extra"u8, 0xe9], "extraneous");

        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--delete", src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"]);

        Assert.True(mine.ExitCode == 0, daemon.Explain(mine));
        Assert.Equal(RawFiles.Describe(src), RawFiles.Describe(dst));
    }

    [Fact]
    public async Task PullRestoresTheExactBytesOfEveryName()
    {
        string module = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "nonutf8-" + Guid.NewGuid().ToString("N")[..12]);
        _moduleDirectories.Add(module);
        CreateSource(module);
        string dst = Path.Combine(_work, "restore");
        Directory.CreateDirectory(dst);
        RawFiles.Write(dst, [.. "extra"u8, 0xe9], "extraneous");
        RawFiles.Write(dst, Gbk, "older, longer gbk content");

        ProcessResult mine = await daemon.RunMrsyncAsync(["-av", "--delete", $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(module)}/", dst + "/"]);

        Assert.True(mine.ExitCode == 0, daemon.Explain(mine));
        Assert.Equal(RawFiles.Describe(module), RawFiles.Describe(dst));
        Assert.Contains("deleting extra\\#351\n", mine.Stdout);
        Assert.Contains("link -> target-\\#351\n", mine.Stdout);
    }
}
