using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --compare-dest, --copy-dest and --link-dest where our own generator does them (a pull from the stock daemon and a
/// local copy), beside stock rsync doing the same: into a fresh "today/" beside "yesterday/" (the daily snapshot
/// pattern) and into an existing destination. The whole receiving tree after (hard-link groups included), the -i/-v
/// output, the first error line (the basis paths made relative) and the exit code must be equal.
/// </summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PullAndLocalBasisDirTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-basisdir-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool, bool> Rows()
    {
        var rows = new TheoryData<string, bool, bool>();
        foreach (string options in new[]
                 {
                     "-a -i --link-dest=../yesterday", "-a -i --compare-dest=../yesterday", "-a -i --copy-dest=../yesterday",
                     "-a -i --link-dest=../nonexistent --link-dest=../yesterday", "-a -ii --link-dest=../yesterday",
                     "-a -ii --compare-dest=../yesterday", "-a -v --copy-dest=../yesterday", "-a -v --link-dest=../yesterday",
                     "-rlt -i --link-dest=../yesterday", "-a -i --delete --link-dest=../yesterday", "-a -c -i --link-dest=../yesterday",
                     "-a -i -n --link-dest=../yesterday",
                 })
        {
            foreach (bool fresh in new[] { true, false })
            {
                rows.Add(options, true, fresh);
                rows.Add(options, false, fresh);
            }
        }
        rows.Add("-a -i --copy-dest=../yesterday --copy-dest=../older", true, true);
        rows.Add("-a -i --copy-dest=../yesterday --copy-dest=../older", false, true);
        rows.Add("-a -i --link-dest=../older --link-dest=../yesterday", true, true);
        rows.Add("-a -i --link-dest=../older --link-dest=../yesterday", false, true);
        // -H: a group whose names all match yesterday's is linked there; a new member is linked to its group.
        rows.Add("-aH -i --link-dest=../yesterday", true, true);
        rows.Add("-aH -i --link-dest=../yesterday", false, true);
        rows.Add("-aH -i --copy-dest=../yesterday", true, true);
        rows.Add("-aH -i --copy-dest=../yesterday", false, true);
        // --inplace: a copied match is written straight to the name, a delta against a basis file into the new file
        // itself (generator.c: copy_altdest_file, receiver.c: recv_files).
        foreach (string options in new[]
                 {
                     "-a -i --inplace --link-dest=../yesterday", "-a -i --inplace --compare-dest=../yesterday",
                     "-a -i --inplace --copy-dest=../yesterday", "-a -i --inplace --copy-dest=../yesterday --copy-dest=../older",
                     "-aH -i --inplace --link-dest=../yesterday", "-a -i --inplace --no-W --link-dest=../older --link-dest=../yesterday",
                 })
        {
            foreach (bool fresh in new[] { true, false })
            {
                rows.Add(options, true, fresh);
                rows.Add(options, false, fresh);
            }
        }
        rows.Add("-a -i --delete --force", true, false);
        rows.Add("-a -i --force", false, false);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, bool pull, bool fresh)
    {
        string[] args = options.Split(' ');
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(_work, "src");
        OptionScenario.WriteSource(source);
        // A directory in the source where the receiver has a file, and a file where it has a non-empty directory
        // (--force's business).
        OptionScenario.Write(source, "was-file/inside.txt", "now a directory\n", OptionScenario.Old);
        OptionScenario.Write(source, "was-dir", "now a file\n", OptionScenario.Old);
        if (options.Contains('H'))
        {
            LocalCopy.LocalSource.Run("ln", Path.Combine(source, "same.txt"), Path.Combine(source, "same-link.txt"));
            LocalCopy.LocalSource.Run("ln", Path.Combine(source, "sub/edited.txt"), Path.Combine(source, "sub/edited-link.txt"));
        }
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(source, "was-file"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(source, OptionScenario.Old);
        string from = pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/";
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            if (fresh)
            {
                OptionScenario.WriteVersionOne(Path.Combine(root, "yesterday"));
                // An older snapshot: same.txt with other permissions (a level-2 match), changed.txt as today's.
                string older = Path.Combine(root, "older");
                OptionScenario.Write(older, "same.txt", "the same in every copy\n", OptionScenario.Old);
                File.SetUnixFileMode(Path.Combine(older, "same.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
                OptionScenario.Write(older, "changed.txt", "version two, longer than before\n", OptionScenario.Mid);
                OptionScenario.Write(older, "new.txt", "only in version two\n", OptionScenario.Old);
            }
            else
            {
                OptionScenario.WriteReceiver(root);
                OptionScenario.Write(Path.Combine(root, "dest"), "was-file", "a file\n", OptionScenario.Old);
                OptionScenario.Write(Path.Combine(root, "dest"), "was-dir/keep.txt", "in the way\n", OptionScenario.Old);
                Directory.SetLastWriteTimeUtc(Path.Combine(root, "dest", "was-dir"), OptionScenario.Old);
                Directory.SetLastWriteTimeUtc(Path.Combine(root, "dest"), OptionScenario.Old);
            }
        }
        string target = fresh ? "today" : "dest";

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, target) + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, target) + "/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock).Replace(stockRoot, "ROOT", StringComparison.Ordinal),
            OptionScenario.FirstError(ours).Replace(oursRoot, "ROOT", StringComparison.Ordinal));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }
}
