using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --remove-source-files (and the old --remove-sent-files) beside stock rsync 3.5.0: a push to the stock daemon (its
/// generator and receiver confirm each entry, our sender removes it), a pull from it (our generator confirms, stock's
/// sender removes) and a local copy (both ours). Each side gets its own copy of the source; the source trees after
/// (what was removed, what stayed), the destination trees, the itemized output, the first stderr line and the exit
/// code must be stock's. The source holds new, changed and up-to-date files, symlinks new and up to date, and a
/// subdirectory; a dry run removes nothing; a local copy onto itself removes nothing and says why (exit 23).
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class RemoveSourceFilesTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-rmsrc-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows()
    {
        var rows = new TheoryData<string, InplaceAppendTests.Way>();
        foreach (string options in new[] { "-a --remove-source-files", "-a --remove-sent-files", "-a -n --remove-source-files", "-rlt --remove-source-files --inplace" })
        {
            foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
                rows.Add(options, way);
        }
        // Each confirmation stock's generator sends besides a received file: a hard-link group's members
        // (hlink.c), a basis directory's match (generator.c: try_dests_reg -2), a delayed update once renamed
        // (receiver.c: handle_delayed_updates); and below protocol 30, where only --remove-source-files makes the
        // receiving side's generator talk to the sender (options.c: need_messages_from_generator).
        foreach (string options in new[]
                 {
                     "-aH --remove-source-files", "-a --remove-source-files --delay-updates", "-a --remove-source-files --protocol=29",
                     "-aH --remove-sent-files", "-a --remove-source-files --link-dest=../basis",
                     "-a --remove-source-files --compare-dest=../basis", "-a --remove-source-files --copy-dest=../basis",
                     "-aH --remove-source-files --link-dest=../basis",
                 })
        {
            foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
                rows.Add(options, way);
        }
        rows.Add("-aH --remove-source-files --delay-updates", InplaceAppendTests.Way.Push);
        rows.Add("-aH --remove-source-files --delay-updates", InplaceAppendTests.Way.Local);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        string id = Guid.NewGuid().ToString("N");
        string module = daemon.ModulePath(DaemonModules.Open);
        bool push = way == InplaceAppendTests.Way.Push, pull = way == InplaceAppendTests.Way.Pull;
        string stockRoot = Path.Combine(pull || push ? Path.Combine(module, id) : _work, "stock");
        string oursRoot = Path.Combine(pull || push ? Path.Combine(module, id) : _work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            await WriteSourceAsync(Path.Combine(root, "src"));
            await WriteDestinationAsync(Path.Combine(root, "dest"));
            WriteBasis(Path.Combine(root, "basis"));
        }
        string Url(string side, string leaf) => $"{daemon.Url}{DaemonModules.Open}/{id}/{side}/{leaf}/";
        string[] Ends(string side, string root) => push ? [Path.Combine(root, "src") + "/", Url(side, "dest")]
            : pull ? [Url(side, "src"), Path.Combine(root, "dest") + "/"]
            : [Path.Combine(root, "src") + "/", Path.Combine(root, "dest") + "/"];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, .. Ends("stock", stockRoot)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, .. Ends("ours", oursRoot)]);

        string snapshot = OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot);
        bool removes = !options.Contains("-n", StringComparison.Ordinal);
        Assert.Equal(removes, !File.Exists(Path.Combine(oursRoot, "src", "sub", "new.txt")));
    }

    [Fact]
    public async Task LocalCopyOntoItselfRemovesNothing()
    {
        string stock = Path.Combine(_work, "stock"), ours = Path.Combine(_work, "ours");
        await WriteSourceAsync(stock);
        await WriteSourceAsync(ours);
        ProcessResult s = await daemon.RunRsyncAsync(["-a", "--remove-source-files", stock + "/", stock + "/"]);
        ProcessResult o = await daemon.RunMrsyncAsync(["-a", "--remove-source-files", ours + "/", ours + "/"]);
        string explain = daemon.Explain(s, o);
        Assert.True(s.ExitCode == 23 && o.ExitCode == 23, explain);
        Assert.Equal(OptionScenario.FirstError(s), OptionScenario.FirstError(o));
        Assert.Contains("Skipping sender remove of destination file", o.Stderr);
        // Known difference, on purpose: stock's generator compares stat() of the name, which follows a symlink, with
        // the sender's lstat(), so it removes the symlinks the copy found "up to date" (they were the receiver's own,
        // now gone); ours compares the entry itself and keeps them. Everything else is stock's.
        static string WithoutLinks(string snapshot) =>
            string.Join('\n', snapshot.Split('\n').Where(line => !line.StartsWith("link-", StringComparison.Ordinal)));
        Assert.Equal(WithoutLinks(OptionScenario.Snapshot(stock)), WithoutLinks(OptionScenario.Snapshot(ours)));
        Assert.Null(new FileInfo(Path.Combine(stock, "link-new")).LinkTarget);
        Assert.Equal("same.txt", new FileInfo(Path.Combine(ours, "link-new")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(ours, "same.txt")));
    }

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "same.txt", "up to date on the receiver\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "version two\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/new.txt", "only on the sender\n", OptionScenario.Mid);
        OptionScenario.WriteBytes(root, "sub/big.bin", Pull.PullTree.RandomBytes(200_000, 41), OptionScenario.Mid);
        await OptionScenario.SymlinkAsync(root, "link-new", "same.txt");
        await OptionScenario.SymlinkAsync(root, "link-same", "changed.txt");
        // A hard-link group, one member also in the basis directory.
        OptionScenario.Write(root, "sub/hl-a.txt", "linked twice\n", OptionScenario.Mid);
        Push.SourceTree.HardLink(Path.Combine(root, "sub/hl-a.txt"), Path.Combine(root, "sub/hl-b.txt"));
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    // What --link-dest, --compare-dest and --copy-dest=../basis find: an exact match of a new file and of a changed
    // one, one of a hard-link group's members, and a file that differs (a basis for the delta only).
    private static void WriteBasis(string root)
    {
        OptionScenario.Write(root, "sub/new.txt", "only on the sender\n", OptionScenario.Mid);
        OptionScenario.Write(root, "changed.txt", "version two\n", OptionScenario.Mid);
        OptionScenario.Write(root, "sub/hl-b.txt", "linked twice\n", OptionScenario.Mid);
        OptionScenario.WriteBytes(root, "sub/big.bin", Pull.PullTree.RandomBytes(200_000, 42), OptionScenario.Mid);
    }

    private static async Task WriteDestinationAsync(string root)
    {
        OptionScenario.Write(root, "same.txt", "up to date on the receiver\n", OptionScenario.Old);
        OptionScenario.Write(root, "changed.txt", "version one\n", OptionScenario.Old);
        Directory.CreateDirectory(root);
        await OptionScenario.SymlinkAsync(root, "link-same", "changed.txt");
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
