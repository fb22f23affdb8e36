using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --drop-D and --old-dirs beside stock rsync 3.5.0 doing the same, on a push to the stock daemon, a pull from it and a
/// local copy, as root: --drop-D makes our receiving side skip the devices and specials the list still carries
/// ("skipping non-regular file", as without -D; a node already there stays), and is not sent (a push's daemon makes
/// them); --old-dirs / --old-d is "-r --exclude='/*/*'" (options.c), the top level and its directories only. The tree
/// (types and device numbers included), the -i/-v output, the first error and the exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed class DropDevicesOldDirsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-dropd-").FullName;

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _work]).GetAwaiter().GetResult();

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-a -i --drop-D", "-a -v --drop-D", "-a -i --drop-D --delete", "-a -i --drop-D --no-drop-D", "-rlptD -i --drop-D -H",
        "-a -i --old-dirs", "-i --old-d", "-a -i --old-dirs --delete", "-a -i --old-dirs -d", "-ai --old-d --exclude=top.txt");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        Assert.True(Environment.UserName == "root", "the test makes device nodes (mknod): it needs root");
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            await WriteDestinationAsync(Path.Combine(root, "dest"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, options.Split(' '));

        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == ours.ExitCode, "exit codes differ\n" + explain);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        // On a pull stock's generator prints its "skipping non-regular file" lines as it goes while the receiver, another
        // process, logs each file once its data is in: where one falls among the other is timing (seen both ways).
        // The skip lines are compared as a set, the rest in order.
        (string Ordered, string Skips) Split(string text)
        {
            string[] lines = text.Split('\n');
            return (string.Join('\n', lines.Where(l => !l.StartsWith("skipping non-regular", StringComparison.Ordinal))),
                string.Join('\n', lines.Where(l => l.StartsWith("skipping non-regular", StringComparison.Ordinal)).Order(StringComparer.Ordinal)));
        }
        var output = Split(OptionScenario.Output(ours, places.OursRoot));
        Assert.Equal(Split(OptionScenario.Output(stock, places.StockRoot)), output);
        // Without -t (-a) a written file's time is the run's own.
        bool times = options.Contains("-a", StringComparison.Ordinal) || options.Contains('t');
        string tree = await TreeAsync(Path.Combine(places.OursRoot, "dest"), times);
        Assert.Equal(await TreeAsync(Path.Combine(places.StockRoot, "dest"), times), tree);
        // What each option is there for, where our receiver does the work.
        if (options.Contains("--drop-D", StringComparison.Ordinal) && !options.Contains("--no-drop-D", StringComparison.Ordinal) && !places.Push)
            Assert.DoesNotContain("fifo p", tree, StringComparison.Ordinal);
        if (options.Contains("--old-d", StringComparison.Ordinal) && !options.Contains(" -d", StringComparison.Ordinal))
            Assert.DoesNotContain("sub/inner.txt", tree, StringComparison.Ordinal);
    }

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "top.txt", "at the top\n", OptionScenario.Old);
        OptionScenario.Write(root, "sub/inner.txt", "one level down\n", OptionScenario.Old);
        OptionScenario.Write(root, "sub/deeper/deep.txt", "two levels down\n", OptionScenario.Old);
        await RunAsync("mkfifo", Path.Combine(root, "fifo"));
        await RunAsync("mknod", Path.Combine(root, "null"), "c", "1", "3");
        await RunAsync("mknod", Path.Combine(root, "sub/zero"), "c", "1", "5");
        await RunAsync("ln", Path.Combine(root, "null"), Path.Combine(root, "null-link"));
        foreach (string entry in new[] { "fifo", "null", "sub/zero" })
            await RunAsync("touch", "-h", "-d", "2024-01-02 03:04:05Z", Path.Combine(root, entry));
        foreach (string dir in new[] { "sub/deeper", "sub", "." })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), OptionScenario.Old);
    }

    // A device already where the source has one (left alone by --drop-D), an extra file for --delete.
    private static async Task WriteDestinationAsync(string root)
    {
        Directory.CreateDirectory(root);
        await RunAsync("mknod", Path.Combine(root, "null"), "c", "1", "3");
        await RunAsync("touch", "-h", "-d", "2020-01-02 03:04:05Z", Path.Combine(root, "null"));
        OptionScenario.Write(root, "extra.txt", "only on the receiver\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        ProcessResult r = await ToolProcess.RunAsync(program, args);
        Assert.True(r.ExitCode == 0, $"{program}: {r.Stderr}");
    }

    // Each entry: path, type, mode, device numbers, size and mtime for files and nodes (directories' times are the
    // run's when it makes them).
    private static async Task<string> TreeAsync(string root, bool times)
    {
        ProcessResult find = await ToolProcess.RunAsync("find", [root, "-mindepth", "1", "-printf", times ? "%P %y %m %s %n %TY%Tm%Td%TH%TM%TS\n" : "%P %y %m %s %n x\n"]);
        Assert.True(find.ExitCode == 0, find.Stderr);
        ProcessResult rdev = await ToolProcess.RunAsync("sh", ["-c", $"cd '{root}' && find . -type c -exec stat -c '%n %t:%T' {{}} +"]);
        var lines = find.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Contains(" d ", StringComparison.Ordinal) ? l[..l.LastIndexOf(' ')] : l)
            .Concat(rdev.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }
}
