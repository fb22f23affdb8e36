using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// Pulls from the stock daemon with incremental recursion (issue 16): mrsync offers it on a recursive pull
/// (ServerArgumentsTests.PullOffersIncrementalRecursion) and stock's daemon then sends the list directory by directory
/// (compat.c: setup_protocol, flist.c: send_extra_file_list), interleaved with file data once more than a thousand
/// entries are listed ahead (MIN_FILECNT_LOOKAHEAD). A tree of 40 directories and about 3,000 entries, against a stale
/// copy (changed, missing and extra files, a directory where a file was and the reverse), must come out as the source
/// and as stock's client makes it, with the same counts; --no-i-r takes the old path to the same result.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class IncrementalPullTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "inc-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    [Theory]
    [InlineData("-a --delete")]
    [InlineData("-a --delete-delay")]
    [InlineData("-rlt")]
    [InlineData("-a --delete --no-i-r")]
    public async Task ATreeOfManyDirectoriesArrivesAsStocksClientMakesIt(string options)
    {
        CreateTree(_source);
        string template = Path.Combine(_sandbox.Root, "template");
        CreateStaleCopy(_source, template);
        string ours = Path.Combine(_sandbox.Root, "ours");
        string theirs = Path.Combine(_sandbox.Root, "theirs");
        StockOutput.CopyTree(template, ours);
        StockOutput.CopyTree(template, theirs);
        string[] args = [.. options.Split(' '), "--stats"];

        var mine = await daemon.RunMrsyncAsync([.. args, Url, ours + "/"]);
        var stock = await daemon.RunRsyncAsync([.. args, Url, theirs + "/"]);

        Assert.True(stock.ExitCode == 0, daemon.Explain(stock));
        Assert.True(mine.ExitCode == 0, daemon.Explain(mine, stock));
        PullTree.AssertSame(theirs, ours);
        if (options.Contains("--delete", StringComparison.Ordinal))
            PullTree.AssertSame(_source, ours);
        Assert.Equal(Counts(stock.Stdout), Counts(mine.Stdout));
    }

    // The --stats lines that count entries and bytes of files (not the wire, whose framing differs).
    private static List<string> Counts(string stdout) =>
        [.. stdout.Split('\n').Where(l => l.StartsWith("Number of", StringComparison.Ordinal)
            || l.StartsWith("Total file size", StringComparison.Ordinal)
            || l.StartsWith("Total transferred file size", StringComparison.Ordinal))];

    // 10 directories of 3 subdirectories (and a chain 6 deep in the first), 75 files in each, symlinks, an empty
    // directory: about 3,000 entries over 47 directories.
    private static void CreateTree(string root)
    {
        Directory.CreateDirectory(root);
        var time = new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        for (int d = 0; d < 10; d++)
        {
            string top = Path.Combine(root, $"d{d:00}");
            for (int s = 0; s < 3; s++)
            {
                string sub = Path.Combine(top, $"s{s}");
                Directory.CreateDirectory(sub);
                for (int f = 0; f < 75; f++)
                    File.WriteAllText(Path.Combine(sub, $"f{f:000}.txt"), $"{d}/{s}/{f}\n");
                File.CreateSymbolicLink(Path.Combine(sub, "link"), "f000.txt");
            }
            for (int f = 0; f < 75; f++)
                File.WriteAllText(Path.Combine(top, $"g{f:000}.txt"), $"{d}/{f}\n");
        }
        string chain = Path.Combine(root, "d00", "a", "b", "c", "d", "e", "f");
        Directory.CreateDirectory(chain);
        File.WriteAllBytes(Path.Combine(chain, "deep.bin"), PullTree.RandomBytes(300_000, seed: 3));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "top.txt"), "top\n");
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                     .Where(p => new FileInfo(p).LinkTarget is null).OrderDescending(StringComparer.Ordinal))
            File.SetLastWriteTimeUtc(path, time);
        Directory.SetLastWriteTimeUtc(root, time);
    }

    // The source with a changed file of the same size (new time), a changed big file (delta), missing files and a
    // missing directory, extra files and an extra directory, a file where a directory is and a directory where a
    // file is.
    private static void CreateStaleCopy(string source, string template)
    {
        StockOutput.CopyTree(source, template);
        File.WriteAllText(Path.Combine(template, "d01", "s0", "f001.txt"), "1/0/X\n");
        byte[] deep = File.ReadAllBytes(Path.Combine(template, "d00", "a", "b", "c", "d", "e", "f", "deep.bin"));
        deep[150_000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(template, "d00", "a", "b", "c", "d", "e", "f", "deep.bin"), deep);
        File.Delete(Path.Combine(template, "d02", "g010.txt"));
        Directory.Delete(Path.Combine(template, "d03", "s2"), recursive: true);
        File.WriteAllText(Path.Combine(template, "d04", "s1", "extra.txt"), "extra\n");
        Directory.CreateDirectory(Path.Combine(template, "d05", "extra-dir", "inner"));
        File.WriteAllText(Path.Combine(template, "d05", "extra-dir", "inner", "x"), "x\n");
        Directory.Delete(Path.Combine(template, "d06", "s1"), recursive: true);
        File.WriteAllText(Path.Combine(template, "d06", "s1"), "a file where a directory is\n");
        File.Delete(Path.Combine(template, "d07", "g005.txt"));
        Directory.CreateDirectory(Path.Combine(template, "d07", "g005.txt"));
    }
}
