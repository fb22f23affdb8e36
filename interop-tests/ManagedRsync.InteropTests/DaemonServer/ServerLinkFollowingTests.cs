using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// A stock client pulling with -L, -k or --copy-unsafe-links makes the daemon's sender follow symlinks (options.c:
/// server_options sends L and k to a sending server only). Stock 3.5.0 follows a link that stays inside the module and
/// refuses one that leads out of it, absolute or by "..", with ELOOP at the opendir or the open (sender.c:
/// sender_open_copylinks_confined); its file list still names the entry (the stat follows), so the client gets an
/// empty directory and exit 23. `rsync --daemon` and `mrsync daemon` serve the same tree side by side: the client's
/// output, errors, exit code and received tree must be the same, and nothing from outside the module may arrive.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class ServerLinkFollowingTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours) : IDisposable
{
    private const string Secret = "OUT-OF-MODULE-SECRET\n";
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-srvlinks-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private IEnumerable<RsyncDaemonFixture> Both => [stock, ours];

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    // In each module: target.txt and targetdir/ beside sub/, whose links lead to them (in the module) and out of it
    // (relative, climbing above the module root; absolute) to a secret outside every module.
    private void Seed()
    {
        string outside = Path.Combine(_work, "outside");
        Directory.CreateDirectory(Path.Combine(outside, "outdir"));
        File.WriteAllText(Path.Combine(outside, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(outside, "outdir", "s.txt"), Secret);
        foreach (RsyncDaemonFixture d in Both)
        {
            string mine = Mine(d), sub = Path.Combine(mine, "sub");
            Directory.CreateDirectory(Path.Combine(mine, "targetdir"));
            Directory.CreateDirectory(sub);
            File.WriteAllText(Path.Combine(mine, "target.txt"), "in module\n");
            File.WriteAllText(Path.Combine(mine, "targetdir", "f.txt"), "in module dir\n");
            File.CreateSymbolicLink(Path.Combine(sub, "in_file"), "../target.txt");
            File.CreateSymbolicLink(Path.Combine(sub, "in_dir"), "../targetdir");
            File.CreateSymbolicLink(Path.Combine(sub, "esc_file"), Path.GetRelativePath(sub, Path.Combine(outside, "secret.txt")));
            File.CreateSymbolicLink(Path.Combine(sub, "esc_dir"), Path.GetRelativePath(sub, Path.Combine(outside, "outdir")));
            File.CreateSymbolicLink(Path.Combine(sub, "abs_file"), Path.Combine(outside, "secret.txt"));
            File.CreateSymbolicLink(Path.Combine(sub, "abs_in_file"), Path.Combine(mine, "target.txt"));
            RawFiles.DateTree(mine);
        }
    }

    [Theory]
    [InlineData("-rv", "-L")]
    [InlineData("-rv", "--copy-links", "-t")]
    [InlineData("-rlv", "-k")]
    [InlineData("-rv", "--copy-dirlinks")]
    [InlineData("-rlv", "--copy-unsafe-links")]
    [InlineData("-rlv")]
    public async Task A_pull_follows_links_inside_the_module_and_none_out_of_it(params string[] options)
    {
        Seed();
        var results = new List<(ProcessResult Result, string Dest)>();
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(_work, d == stock ? "stock" : "ours");
            results.Add((await d.RunRsyncAsync([.. options, $"{d.Url}{OptionModules.Writable}/{_id}/sub/", dest + "/"]), dest));
        }
        var (s, o) = (results[0], results[1]);
        string context = $"{s.Result}\n{o.Result}\n--- mrsync log ---\n{ours.DaemonLog}";
        Assert.True(s.Result.ExitCode == o.Result.ExitCode, "exit codes differ\n" + context);
        Assert.Equal(Lines(s.Result.Stdout, s.Dest), Lines(o.Result.Stdout, o.Dest));
        Assert.Equal(Lines(s.Result.Stderr, s.Dest), Lines(o.Result.Stderr, o.Dest));
        // Without -t every copy has the time it was made; a directory's is not compared: after the sender's I/O error
        // (the refused link) the receiver leaves the time it was made, which differs between the two runs by nature.
        bool times = options.Contains("-t");
        Assert.Equal(Normalize(TreeSnapshot.Of(s.Dest, times: times, rootTimes: false, directoryTimes: false)),
            Normalize(TreeSnapshot.Of(o.Dest, times: times, rootTimes: false, directoryTimes: false)));

        foreach (string file in Directory.GetFiles(o.Dest, "*", SearchOption.AllDirectories))
            Assert.False(!new FileInfo(file).Attributes.HasFlag(FileAttributes.ReparsePoint) && File.ReadAllText(file) == Secret,
                $"{file} holds what lies outside the module\n{context}");
        bool followsFiles = options.Contains("-L") || options.Contains("--copy-links");
        bool followsDirs = followsFiles || options.Contains("-k") || options.Contains("--copy-dirlinks");
        if (followsFiles)
            Assert.Equal("in module\n", File.ReadAllText(Path.Combine(o.Dest, "in_file")));
        if (followsDirs)
            Assert.Equal("in module dir\n", File.ReadAllText(Path.Combine(o.Dest, "in_dir", "f.txt")));
        if (followsDirs || options.Contains("--copy-unsafe-links"))
            Assert.Contains("Too many levels of symbolic links (40)", o.Result.Stderr);
    }

    // An argument whose path goes through a link: followed beneath the module with -k/-L (the daemon's cwd and the
    // lexical path then disagree: stock anchors at the module root), refused out of it, never followed without them.
    // An argument "DIR/" whose last link leads out fails in stock's change_dir into it (flist.c: change_pathname), and
    // in ours.
    [Theory]
    [InlineData("sub/in_dir/", true, "-rv", "-k")]
    [InlineData("sub/in_dir/", true, "-rv", "-L")]
    [InlineData("sub/in_dir/", true, "-rlv")]
    [InlineData("sub/esc_dir/", true, "-rv", "-k")]
    [InlineData("sub/esc_dir/x", true, "-rv")]
    [InlineData("sub/esc_dir/x", true, "-rRv")]
    [InlineData("sub/abs_in_file", true, "-v", "-L")]
    public async Task An_argument_through_a_link_is_followed_only_inside_the_module(string path, bool sameMessages, params string[] options)
    {
        Seed();
        var results = new List<(ProcessResult Result, string Dest)>();
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Path.Combine(_work, d == stock ? "stock" : "ours");
            Directory.CreateDirectory(dest);
            results.Add((await d.RunRsyncAsync([.. options, $"{d.Url}{OptionModules.Writable}/{_id}/{path}", dest + "/"]), dest));
        }
        var (s, o) = (results[0], results[1]);
        string context = $"{s.Result}\n{o.Result}\n--- mrsync log ---\n{ours.DaemonLog}";
        Assert.True(s.Result.ExitCode == o.Result.ExitCode, "exit codes differ\n" + context);
        Assert.Equal(Lines(s.Result.Stdout, s.Dest), Lines(o.Result.Stdout, o.Dest));
        if (sameMessages)
            Assert.Equal(Lines(s.Result.Stderr, s.Dest), Lines(o.Result.Stderr, o.Dest));
        else
            Assert.Contains("Too many levels of symbolic links (40)", o.Result.Stderr);
        Assert.Equal(Normalize(TreeSnapshot.Of(s.Dest, times: false, rootTimes: false)),
            Normalize(TreeSnapshot.Of(o.Dest, times: false, rootTimes: false)));
        foreach (string file in Directory.GetFiles(o.Dest, "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(file) == Secret, $"{file} holds what lies outside the module\n{context}");
    }

    // Rates and timings differ by run; stock's own "rsync error: ... at main.c(LINE)" lines are the same from both.
    private string Normalize(string text) => DaemonOutput.Normalize(text, "ROOT", stock.Root, ours.Root).Replace(_id, "ID", StringComparison.Ordinal);

    // With the summary ("total size is", the speedup masked; the rate line goes in Normalize), also on the error rows
    // (protocol-notes §89), without the read error stock's client may add when stock's daemon resets the connection as
    // it exits after an error (a matter of timing in stock itself).
    private string Lines(string text, string dest) => string.Join('\n', Normalize(text.Replace(dest, "DEST", StringComparison.Ordinal)).Split('\n')
        .Where(l => l.Length > 0 && !l.Contains("read error: Connection reset by peer", StringComparison.Ordinal)));
}
