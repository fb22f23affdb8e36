using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --partial-dir and --delay-updates where our own receiver writes (a pull from the stock daemon and a local copy),
/// beside stock rsync doing the same: the receiving tree after (no partial directory left behind, a partial copy
/// from an earlier run used and removed, backups with -b, what --delete spares), the itemized output and the exit
/// code must be equal.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullAndLocalPartialDirTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-partialdir-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, bool> Rows()
    {
        var rows = new TheoryData<string, bool>();
        foreach (string options in new[]
                 {
                     "-a -i --delay-updates", "-a -i --delay-updates --delete", "-a -i --delete-after --delay-updates",
                     "-a -i --delay-updates -b", "-a -i --delay-updates --partial-dir=.pd", "-a -i --partial-dir=.part",
                     "-a -i --partial-dir=.part --no-W", "-a -i --partial-dir=.part --delete", "-a -i -n --delay-updates",
                     "-a -i --delay-updates --backup-dir=../bak",
                 })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        // -H: the group's last member is transferred and held back; the others are linked to it once it is renamed
        // into place (the generator reads the receiver's "done" in the delay phase).
        foreach (string options in new[] { "-aH -i --delay-updates", "-aH -i --delay-updates -b", "-aH -i --delay-updates --delete", "-aH -i -n --delay-updates" })
        {
            rows.Add(options, true);
            rows.Add(options, false);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, bool pull)
    {
        string[] args = options.Split(' ');
        (string source, string from) = OptionScenario.WriteSourceFor(daemon, _work, pull, hardLink: options.Contains('H'));
        string stockRoot = Path.Combine(_work, "stock"), oursRoot = Path.Combine(_work, "ours");
        foreach (string root in new[] { stockRoot, oursRoot })
        {
            OptionScenario.WriteReceiver(root);
            // What an interrupted earlier run left: the first half of big.bin in the partial directory, and one for
            // a file that is up to date (removed), and a source-side partial directory that --delete must spare.
            string dest = Path.Combine(root, "dest");
            byte[] big = File.ReadAllBytes(Path.Combine(source, "big.bin"));
            OptionScenario.WriteBytes(dest, ".part/big.bin", big[..150_000], OptionScenario.New);
            OptionScenario.Write(dest, "sub/.part/inner.txt", "inner", OptionScenario.New);
            OptionScenario.Write(dest, ".part/gone-long-ago.txt", "left over\n", OptionScenario.Old);
            foreach (string dir in new[] { ".part", "sub/.part", "sub", "." })
                Directory.SetLastWriteTimeUtc(Path.Combine(dest, dir), OptionScenario.Old);
        }

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, Path.Combine(stockRoot, "dest") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, Path.Combine(oursRoot, "dest") + "/"]);

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.Equal(OptionScenario.Output(stock, stockRoot), OptionScenario.Output(ours, oursRoot));
        Assert.Equal(OptionScenario.Snapshot(stockRoot), OptionScenario.Snapshot(oursRoot));
    }
}
