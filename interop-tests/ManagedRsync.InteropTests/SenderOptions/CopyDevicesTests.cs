using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.SenderOptions;

/// <summary>
/// --copy-devices beside stock rsync 3.5.0 doing the same: the sender lists a device as a regular file with its
/// permissions, its size (a character device's lseek end, 0; a block device that cannot be opened, 0) and the time of
/// now (flist.c: make_file, get_device_size), and sends no more than that size of it (sender.c: send_files), so
/// /dev/zero's copy is an empty file however long a read would go on. Our sender does it on a push (the stock daemon
/// receives regular files) and in a local copy; on a pull the option is sent to the sending daemon, which refuses it
/// by default (clientserver.c: "The server is configured to refuse --copy-devices"). Run twice: over nothing, then
/// over the first run's copies. Trees (the copies' times masked: "now"), output, first stderr line and exit code.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class CopyDevicesTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-copydev-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-rtv --copy-devices", "-a -i --copy-devices", "-rt -i --copy-devices --no-W --inplace");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        Assert.True(Environment.UserName == "root", "mknod needs root");
        var places = OptionScenario.Places.For(daemon, _work, way);
        OptionScenario.WriteSource(places.Source);
        OptionScenario.WriteReceiver(places.StockRoot);
        OptionScenario.WriteReceiver(places.OursRoot);
        string dev = Path.Combine(places.Source, "dev");
        Directory.CreateDirectory(dev);
        await MknodAsync(Path.Combine(dev, "zero"), "c", "1", "5");
        await MknodAsync(Path.Combine(dev, "null"), "c", "1", "3");
        await MknodAsync(Path.Combine(dev, "no-such-loop"), "b", "7", "250");
        foreach (string round in new[] { "first", "second" })
        {
            var (stock, ours) = await OptionScenario.RunBothAsync(daemon, places, options.Split(' '));
            int expected = way == InplaceAppendTests.Way.Pull ? stock.ExitCode : 0;
            Assert.True(stock.ExitCode == expected && ours.ExitCode == expected, round + "\n" + daemon.Explain(stock, ours));
            Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
            Assert.Equal(OptionScenario.Output(stock, places.StockRoot), OptionScenario.Output(ours, places.OursRoot));
            Assert.Equal(Masked(OptionScenario.Snapshot(places.StockRoot)), Masked(OptionScenario.Snapshot(places.OursRoot)));
            if (way == InplaceAppendTests.Way.Pull)
            {
                Assert.Contains("The server is configured to refuse --copy-devices", ours.Stderr, StringComparison.Ordinal);
            }
            else
            {
                var copy = new FileInfo(Path.Combine(places.OursRoot, "dest", "dev", "zero"));
                Assert.True(copy.Exists && copy.Length == 0 && !copy.Attributes.HasFlag(FileAttributes.Device), "dev/zero is an empty file");
            }
            // Each sender times a copied device "now": for the second round both copies get an old time, so that both
            // sides find them changed whatever second each run falls in.
            foreach (string root in new[] { places.StockRoot, places.OursRoot })
            {
                foreach (string copied in Directory.Exists(Path.Combine(root, "dest", "dev")) ? Directory.GetFiles(Path.Combine(root, "dest", "dev")) : [])
                    File.SetLastWriteTimeUtc(copied, OptionScenario.Old);
            }
        }
    }

    private static async Task MknodAsync(string path, params string[] args)
    {
        ProcessResult made = await ToolProcess.RunAsync("mknod", ["-m", "0640", path, .. args]);
        Assert.True(made.ExitCode == 0, made.Stderr);
    }

    // A copied device is timed "now" by each sender.
    private static string Masked(string snapshot) => DeviceTime().Replace(snapshot, "$1");

    [GeneratedRegex(@"^(dest/dev/\S+ .*?) mtime=\S+", RegexOptions.Multiline)]
    private static partial Regex DeviceTime();
}
