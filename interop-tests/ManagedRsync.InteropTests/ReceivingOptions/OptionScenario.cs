using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// The trees issue 11's option tests start from, written the same way for stock rsync and for mrsync: a source
/// (version 1, then edited to version 2) and a destination side holding "yesterday" (a copy of version 1), "dest"
/// (an older copy with extras, a newer file and a changed file) and whatever a scenario adds. Every time is fixed, so
/// two preparations are equal entry for entry.
/// </summary>
internal static class OptionScenario
{
    public static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    public static readonly DateTime Mid = new(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc);
    public static readonly DateTime New = new(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>Version 2 of the source: same.txt unchanged since v1, changed.txt edited, big.bin 300 KB, small.txt 3 bytes, sub/ with one file, a new file.</summary>
    public static void WriteSource(string root)
    {
        Write(root, "same.txt", "the same in every copy\n", Old);
        Write(root, "changed.txt", "version two, longer than before\n", Mid);
        Write(root, "small.txt", "abc", Old);
        Write(root, "new.txt", "only in version two\n", Mid);
        Write(root, "sub/inner.txt", "inner file, unchanged\n", Old);
        Write(root, "sub/edited.txt", "inner v2\n", Mid);
        WriteBytes(root, "big.bin", Pull.PullTree.RandomBytes(300_000, 11), Old);
        Write(root, "newer-on-receiver.txt", "sender's older copy\n", Old);
        Write(root, "window.txt", "same bytes, a second apart\n", Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), Old);
        Directory.SetLastWriteTimeUtc(root, Old);
    }

    /// <summary>
    /// <see cref="WriteSource"/> for a pull (a new directory in the daemon's open module) or a local copy (WORK/src),
    /// with <paramref name="hardLink"/> new-link.txt linked to new.txt (the source's time kept); returns where it is
    /// and how the command line names its contents.
    /// </summary>
    public static (string Source, string From) WriteSourceFor(RsyncDaemonFixture daemon, string work, bool pull, bool hardLink)
    {
        string id = Guid.NewGuid().ToString("N");
        string source = pull ? Path.Combine(daemon.ModulePath(DaemonModules.Open), id) : Path.Combine(work, "src");
        WriteSource(source);
        if (hardLink)
        {
            LocalCopy.LocalSource.Run("ln", Path.Combine(source, "new.txt"), Path.Combine(source, "new-link.txt"));
            Directory.SetLastWriteTimeUtc(source, Old);
        }
        return (source, pull ? $"{daemon.Url}{DaemonModules.Open}/{id}/" : source + "/");
    }

    /// <summary>Version 1 of the source, as "yesterday" holds it.</summary>
    public static void WriteVersionOne(string root)
    {
        Write(root, "same.txt", "the same in every copy\n", Old);
        Write(root, "changed.txt", "version one\n", Old);
        Write(root, "small.txt", "abc", Old);
        Write(root, "sub/inner.txt", "inner file, unchanged\n", Old);
        Write(root, "sub/edited.txt", "inner v1\n", Old);
        WriteBytes(root, "big.bin", Pull.PullTree.RandomBytes(300_000, 11), Old);
        Write(root, "newer-on-receiver.txt", "sender's older copy\n", Old);
        Write(root, "gone.txt", "deleted in version two\n", Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), Old);
        Directory.SetLastWriteTimeUtc(root, Old);
    }

    /// <summary>
    /// The receiving side: yesterday/ (version 1) and dest/ (version 1 plus extra files to delete, an extra directory,
    /// and a file that is newer on the receiver).
    /// </summary>
    public static void WriteReceiver(string root)
    {
        WriteVersionOne(Path.Combine(root, "yesterday"));
        string dest = Path.Combine(root, "dest");
        WriteVersionOne(dest);
        Write(dest, "newer-on-receiver.txt", "receiver's newer copy\n", New);
        Write(dest, "window.txt", "same bytes, a second apart\n", Old.AddSeconds(1));
        Write(dest, "extra1.txt", "extra 1\n", Old);
        Write(dest, "extra2.txt", "extra 2\n", Old);
        Write(dest, "extra3.txt", "extra 3\n", Old);
        Write(dest, "extradir/x.txt", "extra dir's file\n", Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(dest, "extradir"), Old);
        Directory.SetLastWriteTimeUtc(Path.Combine(dest, "sub"), Old);
        Directory.SetLastWriteTimeUtc(dest, Old);
    }

    public static void Write(string root, string relative, string text, DateTime mtime) =>
        WriteBytes(root, relative, System.Text.Encoding.UTF8.GetBytes(text), mtime);

    public static void WriteBytes(string root, string relative, byte[] bytes, DateTime mtime)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.SetLastWriteTimeUtc(path, mtime);
    }

    // A symlink with a fixed time of its own (touch -h), so that two preparations are equal entry for entry.
    public static async Task SymlinkAsync(string root, string name, string target)
    {
        string path = Path.Combine(root, name);
        File.CreateSymbolicLink(path, target);
        ProcessResult touch = await ToolProcess.RunAsync("touch", ["-h", "-d", "2024-01-02 03:04:05Z", path]);
        Assert.True(touch.ExitCode == 0, touch.Stderr);
    }

    /// <summary>
    /// The tree as <see cref="LocalCopy.TreeSnapshot"/> writes it, without directory mtimes (a directory the receiver
    /// creates, e.g. a backup directory, gets the time of the run) and without the root's.
    /// </summary>
    public static string Snapshot(string root) =>
        string.Join('\n', LocalCopy.TreeSnapshot.Of(root, times: true, rootTimes: false).Split('\n')
            .Select(line => line.Contains(" dir ", StringComparison.Ordinal)
                ? System.Text.RegularExpressions.Regex.Replace(line, @" mtime=\S+", "")
                : line));

    /// <summary>
    /// What stdout says apart from the paths, the timing figures and stock's incremental-recursion header.
    /// </summary>
    public static string Output(ProcessResult r, string root) =>
        Pull.StockOutput.Normalize(r.Stdout.Replace(root, "ROOT", StringComparison.Ordinal), "DEST")
            .Replace("sending incremental file list\n", "", StringComparison.Ordinal)
            .Replace("building file list ... done\n", "", StringComparison.Ordinal);

    /// <summary>
    /// Where a side-by-side run keeps its trees: the one source (in the daemon's module for a pull), the stock and ours
    /// receiving roots (in the module for a push), and the command line's source URL or path (<see cref="From"/>) and
    /// destination (<see cref="To"/>: ROOT/dest/).
    /// </summary>
    public sealed record Places(RsyncDaemonFixture Daemon, string Id, bool Push, bool Pull, string Source, string StockRoot, string OursRoot)
    {
        public static Places For(RsyncDaemonFixture daemon, string work, InplaceAppendTests.Way way)
        {
            string id = Guid.NewGuid().ToString("N");
            string module = daemon.ModulePath(DaemonModules.Open);
            bool push = way == InplaceAppendTests.Way.Push, pull = way == InplaceAppendTests.Way.Pull;
            return new Places(daemon, id, push, pull, pull ? Path.Combine(module, id, "src") : Path.Combine(work, "src"),
                Path.Combine(push ? Path.Combine(module, id) : work, "stock"), Path.Combine(push ? Path.Combine(module, id) : work, "ours"));
        }

        /// <summary>The source as the command line names it, "/" or "/NAME" after it.</summary>
        public string From(string leaf = "/") => (Pull ? $"{Daemon.Url}{DaemonModules.Open}/{Id}/src" : Source) + leaf;

        /// <summary>The destination of the stock or the ours run.</summary>
        public string To(bool stock) =>
            Push ? $"{Daemon.Url}{DaemonModules.Open}/{Id}/{(stock ? "stock" : "ours")}/dest/" : Path.Combine(stock ? StockRoot : OursRoot, "dest") + "/";
    }

    /// <summary>Each command line (split at spaces) in push, pull and local-copy position.</summary>
    public static TheoryData<string, InplaceAppendTests.Way> EveryWay(params string[] options)
    {
        var rows = new TheoryData<string, InplaceAppendTests.Way>();
        foreach (string option in options)
        {
            foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
                rows.Add(option, way);
        }
        return rows;
    }

    /// <summary>Stock's client, then ours, with the same <paramref name="args"/> from the places' source to their own destination.</summary>
    public static async Task<(ProcessResult Stock, ProcessResult Ours)> RunBothAsync(RsyncDaemonFixture daemon, Places places, string[] args)
    {
        ProcessResult stock = await daemon.RunRsyncAsync([.. args, places.From(), places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, places.From(), places.To(stock: false)]);
        return (stock, ours);
    }

    /// <summary>
    /// The places for <paramref name="way"/>, the scenario's source and both receivers written, then
    /// <see cref="RunBothAsync"/> with <paramref name="options"/> (space-separated).
    /// </summary>
    public static async Task<(Places Places, ProcessResult Stock, ProcessResult Ours)> RunSeededAsync(RsyncDaemonFixture daemon,
        string work, InplaceAppendTests.Way way, string options)
    {
        var places = Places.For(daemon, work, way);
        WriteSource(places.Source);
        WriteReceiver(places.StockRoot);
        WriteReceiver(places.OursRoot);
        (ProcessResult stock, ProcessResult ours) = await RunBothAsync(daemon, places, options.Split(' '));
        return (places, stock, ours);
    }

    /// <summary>
    /// The lines of <paramref name="text"/> in ordinal order. A redone file's second line falls among later incremental
    /// lists' lines wherever the receiver's report of it reaches the generator, which takes its redo queue between
    /// lists (generator.c: generate_files calls check_for_finished_files(..., 1) after each): timing, in stock too.
    /// </summary>
    public static string Unordered(string text) => string.Join('\n', text.Split('\n').Order(StringComparer.Ordinal));

    /// <summary>
    /// Stock's run and ours of the same command line gave the same result: exit code, first stderr line, output
    /// (<see cref="Output"/>) and tree (<see cref="Snapshot"/>). Returns our tree's snapshot. With
    /// <paramref name="redone"/> (files sent twice, --append-verify's failed check) the output's lines are compared as
    /// a set: see <see cref="Unordered"/>.
    /// </summary>
    public static string AssertSameResult(RsyncDaemonFixture daemon, ProcessResult stock, ProcessResult ours, string stockRoot, string oursRoot,
        int exitCode = 0, bool redone = false, bool deletionsApart = false)
    {
        string explain = daemon.Explain(stock, ours);
        Assert.True(stock.ExitCode == exitCode && ours.ExitCode == exitCode, $"exit codes (expected {exitCode})\n" + explain);
        Assert.Equal(FirstError(stock), FirstError(ours));
        string stockOutput = Output(stock, stockRoot), ourOutput = Output(ours, oursRoot);
        if (redone)
            (stockOutput, ourOutput) = (Unordered(stockOutput), Unordered(ourOutput));
        if (deletionsApart)
            (stockOutput, ourOutput) = (DeletionsApart(stockOutput), DeletionsApart(ourOutput));
        Assert.Equal(stockOutput, ourOutput);
        string snapshot = Snapshot(oursRoot);
        Assert.Equal(Snapshot(stockRoot), snapshot);
        return snapshot;
    }

    /// <summary>
    /// The deletion lines of <paramref name="text"/> in their order, then every other line in its order. In a local
    /// copy stock's generator prints a deletion itself at once, while an itemized entry's line comes from the sender
    /// when the generator's report of it arrives through the pipe: where the two streams meet is timing, in stock too
    /// (a missing argument's "*deleting" line before or after its implied parent's ".d..t......" line).
    /// </summary>
    public static string DeletionsApart(string text)
    {
        string[] lines = text.Split('\n');
        static bool Deletion(string l) => l.StartsWith("*deleting ", StringComparison.Ordinal) || l.StartsWith("deleting ", StringComparison.Ordinal);
        return string.Join('\n', lines.Where(Deletion).Append("--").Concat(lines.Where(l => !Deletion(l))));
    }

    /// <summary>The first line of stderr with the program's name taken off.</summary>
    public static string FirstError(ProcessResult r)
    {
        string line = r.Stderr.Split('\n')[0];
        foreach (string program in new[] { "mrsync: ", "rsync: " })
        {
            if (line.StartsWith(program, StringComparison.Ordinal))
                return line[program.Length..];
        }
        return line;
    }
}
