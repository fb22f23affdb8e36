using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --inplace, --append and --append-verify beside stock rsync 3.5.0 doing the same: a push to the stock daemon (its
/// receiver writes, our sender must send what it can use: no block from where it has already written, only the tail
/// for --append), a pull from it and a local copy (our generator and receiver write in place). The receiving tree holds
/// a file edited in the middle, a grown log, a shrunk file, a file whose start differs from the receiver's copy (which
/// --append appends to blindly and --append-verify catches and redoes), and a file hard-linked to a name the transfer
/// does not touch (written in place, the other name sees the new data). Trees (bytes, modes, mtimes, link groups),
/// the itemized output, the first stderr line and the exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class InplaceAppendTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-inplace-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public enum Way
    {
        Push,
        Pull,
        Local,
    }

    public static TheoryData<string, Way> Rows()
    {
        var rows = new TheoryData<string, Way>();
        foreach (string options in new[] { "-a --inplace", "-a --inplace --no-W", "-a --append", "-a --append-verify", "-rt --inplace --no-W -c" })
        {
            foreach (Way way in Enum.GetValues<Way>())
                rows.Add(options, way);
        }
        // Before protocol 30 --append is --append-verify on both sides (compat.c: setup_protocol).
        rows.Add("-a --append --protocol=29", Way.Push);
        rows.Add("-a --append --protocol=29", Way.Pull);
        rows.Add("-a --inplace --no-W --protocol=28", Way.Push);
        // -b: the file about to be written in place is copied to its backup first (generator.c: back_file), with its
        // old attributes; on a push the daemon's basis is then the backup, so our sender matches freely.
        foreach (string options in new[] { "-a --inplace -b --no-W", "-a --inplace -b", "-a --inplace --backup-dir=bak --no-W", "-a --append -b" })
        {
            foreach (Way way in Enum.GetValues<Way>())
                rows.Add(options, way);
        }
        // Done by the daemon's receiver only (refused on a pull and a local copy for now): -S with --no-W sends --no-W.
        rows.Add("-a --inplace -S --no-W", Way.Push);
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        string id = Guid.NewGuid().ToString("N");
        string module = daemon.ModulePath(DaemonModules.Open);
        string source = way == Way.Pull ? Path.Combine(module, id, "src") : Path.Combine(_work, "src");
        WriteSource(source);
        string stockRoot = way == Way.Push ? Path.Combine(module, id, "stock") : Path.Combine(_work, "stock");
        string oursRoot = way == Way.Push ? Path.Combine(module, id, "ours") : Path.Combine(_work, "ours");
        await WriteReceiverAsync(stockRoot);
        await WriteReceiverAsync(oursRoot);
        string from = way == Way.Pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/src/" : source + "/";
        string To(string side, string root) => way == Way.Push ? $"{daemon.Url}{DaemonModules.Open}/{id}/{side}/dest/" : Path.Combine(root, "dest") + "/";

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, To("stock", stockRoot)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, To("ours", oursRoot)]);

        string snapshot = OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot, redone: options.Contains("--append-verify", StringComparison.Ordinal));
        // In place means the same inode: the name outside the transfer shares the new content.
        Assert.Contains("links=dest/linked.bin", snapshot);
    }

    [Theory]
    [InlineData(Way.Pull)]
    [InlineData(Way.Local)]
    public async Task CombinationsNotDoneYetAreRefusedByName(Way way)
    {
        string source = Path.Combine(_work, "src");
        WriteSource(source);
        string from = way == Way.Pull ? $"{daemon.Url}{DaemonModules.Open}/" : source + "/";
        foreach ((string option, string name) in new[]
                 {
                     ("--append-verify -S", "--append with --sparse"), ("--backup-dir=../old", "--inplace with a --backup-dir that has a '..' component"),
                     ("--append --link-dest=../x", "--append with --compare-dest, --copy-dest or --link-dest"),
                 })
        {
            ProcessResult r = await daemon.RunMrsyncAsync(["-a", "--inplace", .. option.Split(' '), from, Path.Combine(_work, "none") + "/"]);
            Assert.True(r.ExitCode == 4, r.Stderr);
            Assert.Contains(name + " is not supported yet", r.Stderr);
        }
        Assert.False(Directory.Exists(Path.Combine(_work, "none")));
    }

    private static readonly byte[] Edited = Pull.PullTree.RandomBytes(300_000, 31);
    private static readonly byte[] Log = Pull.PullTree.RandomBytes(150_000, 32);

    private static void WriteSource(string root)
    {
        byte[] edited = (byte[])Edited.Clone();
        edited.AsSpan(140_000, 4_000).Fill(0x5A); // a changed run in the middle
        OptionScenario.WriteBytes(root, "edited.bin", edited, OptionScenario.Mid);
        OptionScenario.WriteBytes(root, "grown.log", Log, OptionScenario.Mid);
        OptionScenario.WriteBytes(root, "shrunk.txt", "short now\n"u8.ToArray(), OptionScenario.Mid);
        byte[] differs = (byte[])Log.Clone();
        differs.AsSpan(1_000, 100).Fill(0x11); // the start differs from the receiver's copy
        OptionScenario.WriteBytes(root, "differs.log", differs, OptionScenario.Mid);
        OptionScenario.WriteBytes(root, "linked.bin", Pull.PullTree.RandomBytes(80_000, 33), OptionScenario.Mid);
        OptionScenario.Write(root, "same.txt", "unchanged\n", OptionScenario.Old);
        OptionScenario.Write(root, "sub/new.txt", "only on the sender\n", OptionScenario.Mid);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static async Task WriteReceiverAsync(string root)
    {
        string dest = Path.Combine(root, "dest");
        OptionScenario.WriteBytes(dest, "edited.bin", Edited, OptionScenario.Old);
        OptionScenario.WriteBytes(dest, "grown.log", Log.AsSpan(0, 100_000).ToArray(), OptionScenario.Old);
        OptionScenario.WriteBytes(dest, "shrunk.txt", "a longer text than the sender has now\n"u8.ToArray(), OptionScenario.Old);
        OptionScenario.WriteBytes(dest, "differs.log", Log.AsSpan(0, 60_000).ToArray(), OptionScenario.Old);
        // A true start of the sender's file (--append-verify accepts it: only differs.log is redone).
        OptionScenario.WriteBytes(dest, "linked.bin", Pull.PullTree.RandomBytes(80_000, 33).AsSpan(0, 50_000).ToArray(), OptionScenario.Old);
        // The second name lies outside the transfer's tree.
        ProcessResult ln = await ToolProcess.RunAsync("ln", [Path.Combine(dest, "linked.bin"), Path.Combine(root, "other-name.bin")]);
        Assert.True(ln.ExitCode == 0, ln.Stderr);
        OptionScenario.Write(dest, "same.txt", "unchanged\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(dest, OptionScenario.Old);
    }
}
