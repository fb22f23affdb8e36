using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// What a pull prints (--progress, -P, --stats, -h/-hh/--no-h, -q, -i/-ii, -v) next to what stock rsync 3.5.0 prints
/// for the same pull from the same daemon, into a fresh and into an existing destination; the numbers masked are
/// those <see cref="StockOutput"/> lists (time, and the byte counts incremental recursion changes).
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullOutputParityTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "out-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a --progress", "-aP", "-av --progress", "-a --stats", "-ah --stats", "-ahh --stats", "-a --no-h --stats",
                     "-ah --progress", "-avq", "-aq --stats --progress", "-aii", "-avii", "-ai --stats --delete", "-av --stats --delete",
                     "-r --stats", "-a --stats --protocol=29", "-av --stats --protocol=30", "-ai --stats --protocol=27",
                 })
        {
            data.Add(options, false);
            data.Add(options, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PullPrintsWhatStockPrints(string options, bool existing)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        if (existing)
        {
            string template = Path.Combine(_sandbox.Root, "template");
            PullTree.CreateStaleCopy(_source, template);
            StockOutput.CopyTree(template, ours);
            StockOutput.CopyTree(template, theirs);
        }
        string[] args = options.Split(' ');

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
        Assert.Equal(stock.Stderr, mine.Stderr);
        if (options.StartsWith("-a", StringComparison.Ordinal) && (!existing || options.Contains("--delete", StringComparison.Ordinal)))
            PullTree.AssertSame(_source, ours);
    }

    /// <summary>
    /// -H on a pull (hlink.c, generator side): the last name of each group is transferred and the others are linked to
    /// it, each printed "NAME => LEADER" after the walk (in a dry run right after the leader); into a copy that lost
    /// some members they are linked to the first member found done. Compared with stock's client without incremental
    /// recursion, which orders its walk the same way ours does.
    /// </summary>
    [Theory]
    [InlineData("-aHi", false)]
    [InlineData("-aHin", false)]
    [InlineData("-aHii", true)]
    [InlineData("-aHi", true)]
    public async Task PullOfHardLinksPrintsWhatStockPrints(string options, bool existing)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        Directory.CreateDirectory(Path.Combine(_source, "hl"));
        Directory.CreateDirectory(Path.Combine(_source, "hl2"));
        File.WriteAllText(Path.Combine(_source, "hl", "one"), "shared one\n");
        File.WriteAllText(Path.Combine(_source, "hl2", "three"), "shared three\n");
        File.CreateSymbolicLink(Path.Combine(_source, "hl", "zz-link"), "one");
        foreach (var (from, to) in new[] { ("hl/one", "hl/one-again"), ("hl2/three", "hl/three-a"), ("hl2/three", "hl2/three-b") })
            LocalCopy.LocalSource.Run("ln", Path.Combine(_source, from), Path.Combine(_source, to));
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        string[] args = [.. options.Split(' '), "--no-i-r"];
        if (existing)
        {
            Assert.Equal(0, (await daemon.RunRsyncAsync(["-aH", Url, ours + "/"])).ExitCode);
            Assert.Equal(0, (await daemon.RunRsyncAsync(["-aH", Url, theirs + "/"])).ExitCode);
            foreach (string dest in new[] { ours, theirs })
            {
                File.Delete(Path.Combine(dest, "hl", "one"));
                File.Delete(Path.Combine(dest, "hl2", "three-b"));
            }
        }

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Equal(StockOutput.Normalize(stock.Stdout, theirs), StockOutput.Normalize(mine.Stdout, ours));
        if (!options.Contains('n', StringComparison.Ordinal))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(_source, "hl", "one")), File.ReadAllText(Path.Combine(ours, "hl", "one")));
            Assert.Equal(Inode(Path.Combine(ours, "hl", "one")), Inode(Path.Combine(ours, "hl", "one-again")));
            Assert.Equal(Inode(Path.Combine(ours, "hl2", "three")), Inode(Path.Combine(ours, "hl", "three-a")));
            Assert.Equal(Inode(Path.Combine(ours, "hl2", "three")), Inode(Path.Combine(ours, "hl2", "three-b")));
        }
    }

    private static string Inode(string path)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("%i");
        psi.ArgumentList.Add(path);
        using var p = System.Diagnostics.Process.Start(psi)!;
        string inode = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0 && inode.Length > 0, $"stat {path}: exit {p.ExitCode}");
        return inode;
    }
}
