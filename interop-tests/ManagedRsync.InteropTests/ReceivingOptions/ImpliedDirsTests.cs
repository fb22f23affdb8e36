using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --implied-dirs / --no-implied-dirs beside stock rsync 3.5.0 doing the same, with and without -R: a push to the stock
/// daemon (our client sends --no-implied-dirs from protocol 30, and below it our sender leaves the implied directories
/// out), a pull from it and a local copy (our generator neither makes nor touches an implied directory, and makes a
/// missing parent with default permissions, silently). The source's path directories have permissions and times of
/// their own; the destination already has the first of them with others, and lacks the rest. Trees (modes included),
/// itemized and -v output, first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ImpliedDirsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-implied-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-aR -i", "-aR --no-implied-dirs -i", "-aR --no-implied-dirs -v", "-aR --no-i-d -n -i", "-aR --protocol=29 -i",
        "-a --no-implied-dirs -i", "-aR --no-implied-dirs --implied-dirs -i", "-aR --no-implied-dirs --delete -i", "-rtR --no-implied-dirs -i");

    /// <summary>
    /// Below protocol 30 a sender with --no-implied-dirs leaves the path's directories out, and stock 3.5.0's receiver
    /// then refuses the list ("ABORTING due to invalid path from sender", generator.c: recv_generator's "Each parent
    /// dir must be in the file list"): a pull ends with 2, a push with the daemon's end (10). Ours does the same on
    /// either side. (A local copy's client sees its generator die, exit 12 in stock; ours ends with the generator's 2.)
    /// </summary>
    [Theory]
    [InlineData(InplaceAppendTests.Way.Push)]
    [InlineData(InplaceAppendTests.Way.Pull)]
    public async Task Below_protocol_30_the_receiver_refuses_a_list_without_them(InplaceAppendTests.Way way)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        WriteSource(places.Source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            WriteDestination(Path.Combine(root, "dest"));
        string[] args = ["-aR", "--no-implied-dirs", "--protocol=29", "-i", places.From("/./top/mid/leaf/file.txt"), places.From("/./single.txt")];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, places.To(stock: false)]);

        // A push ends when the daemon's receiver dies: the client reads a reset (io.c: read error, exit 10) or the end
        // of the stream (io.c: "connection unexpectedly closed", exit 12) by how the kernel delivers it; stock's
        // client and ours each saw both in CI runs.
        int[] expected = way == InplaceAppendTests.Way.Push ? [10, 12] : [2];
        Assert.True(expected.Contains(stock.ExitCode) && expected.Contains(ours.ExitCode), daemon.Explain(stock, ours));
        const string abort = "ABORTING due to invalid path from sender: top/mid/leaf/file.txt";
        Assert.Contains(abort, stock.Stderr, StringComparison.Ordinal);
        Assert.Contains(abort, ours.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        WriteSource(places.Source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
            WriteDestination(Path.Combine(root, "dest"));
        string[] sources = [places.From("/./top/mid/leaf/file.txt"), places.From("/./top/other/dir"), places.From("/./single.txt")];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, .. sources, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, .. sources, places.To(stock: false)]);

        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
    }

    public static TheoryData<string, InplaceAppendTests.Way> LinkRows() => OptionScenario.EveryWay(
        "-aR --no-implied-dirs -i", "-aR --no-implied-dirs -n -i", "-aR -i");

    /// <summary>
    /// The destination has an in-tree symlink to a directory where the first implied directory goes: stock 3.5.0's
    /// receiver writes through it with --no-implied-dirs (syscall.c: secure_relative_open follows a relative link that
    /// stays inside), and with implied directories replaces it by a directory.
    /// </summary>
    [Theory]
    [MemberData(nameof(LinkRows))]
    public async Task An_implied_directory_that_is_an_in_tree_link_is_written_through(string options, InplaceAppendTests.Way way)
    {
        string[] args = options.Split(' ');
        var places = OptionScenario.Places.For(daemon, _work, way);
        WriteSource(places.Source);
        foreach (string root in new[] { places.StockRoot, places.OursRoot })
        {
            string dest = Path.Combine(root, "dest");
            OptionScenario.Write(dest, "real/top/existing.txt", "already there\n", OptionScenario.Old);
            await OptionScenario.SymlinkAsync(dest, "top", "real/top/../top");
            Directory.SetLastWriteTimeUtc(Path.Combine(dest, "real/top"), OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(Path.Combine(dest, "real"), OptionScenario.Old);
            Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
        }
        string[] sources = [places.From("/./top/mid/leaf/file.txt"), places.From("/./top/other/dir")];

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, .. sources, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, .. sources, places.To(stock: false)]);

        string tree = OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
        if (options.Contains("--no-implied-dirs", StringComparison.Ordinal) && !options.Contains(" -n ", StringComparison.Ordinal))
            Assert.Contains("dest/real/top/mid/leaf/file.txt ", tree, StringComparison.Ordinal);
    }

    private static void WriteSource(string root)
    {
        OptionScenario.Write(root, "top/mid/leaf/file.txt", "deep file\n", OptionScenario.Mid);
        OptionScenario.Write(root, "top/mid/sibling.txt", "not named\n", OptionScenario.Mid);
        OptionScenario.Write(root, "top/other/dir/inner.txt", "inside a named directory\n", OptionScenario.Mid);
        OptionScenario.Write(root, "single.txt", "at the top\n", OptionScenario.Mid);
        SetDirectory(root, "top/mid/leaf", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        SetDirectory(root, "top/mid", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        SetDirectory(root, "top/other/dir", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        SetDirectory(root, "top/other", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        SetDirectory(root, "top", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static void WriteDestination(string dest)
    {
        OptionScenario.Write(dest, "top/existing.txt", "already there\n", OptionScenario.Old);
        SetDirectory(dest, "top", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
    }

    private static void SetDirectory(string root, string relative, UnixFileMode mode)
    {
        string path = Path.Combine(root, relative);
        File.SetUnixFileMode(path, mode);
        Directory.SetLastWriteTimeUtc(path, OptionScenario.Old);
    }
}
