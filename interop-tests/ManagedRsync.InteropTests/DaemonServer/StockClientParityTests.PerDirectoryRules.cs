namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Per-directory rules read on the server's side: a pushing client's ':' (dir-merge, -F) and -C rules are read by
/// the receiving server from the module's directories when it deletes (exclude.c: push_local_filters, the receiver
/// protects what they exclude), and a pulling client's rules by the sending server as it walks the module.
/// The pushes run with --no-i-r on both: with incremental recursion stock's deletions interleave with the names per
/// directory, and mrsync's server does not recurse incrementally yet.
/// </summary>
public sealed partial class StockClientParityTests
{
    private static void Put(string root, string rel, string text)
    {
        string path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetLastWriteTimeUtc(path, new DateTime(2023, 2, 3, 4, 5, 6, DateTimeKind.Utc));
    }

    private string RulesSource()
    {
        string src = Path.Combine(_work, "src");
        Put(src, "top.txt", "top\n");
        Put(src, "sub/b.txt", "b\n");
        foreach (string dir in new[] { src, Path.Combine(src, "sub") })
            Directory.SetLastWriteTimeUtc(dir, new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        return src;
    }

    [Theory]
    [InlineData("-F", ".rsync-filter", "- *.keep\n")]
    [InlineData("--filter=: .rules", ".rules", "- *.keep\n")]
    [InlineData("-C", ".cvsignore", "*.keep\n")]
    public async Task A_push_with_delete_keeps_what_the_modules_own_rule_files_exclude(string option, string ruleFile, string rules)
    {
        string src = RulesSource();
        string seed = Path.Combine(_work, "seed");
        Put(seed, "sub/" + ruleFile, rules);
        Put(seed, "sub/a.keep", "protected by the module's rule file\n");
        Put(seed, "sub/gone.txt", "deleted\n");
        Put(seed, "c.o", "protected by -C's default list\n");
        Seed(seed);
        var push = await BothAsync(d => ["-av", "--delete", "--no-i-r", option, src + "/", Url(d, $"open/{_id}/")]);
        // In stock's order: its generator flushes after the top directory (generator.c: generate_files calls
        // maybe_flush_socket after the first entry), so "./" comes between the deletions there and those below it.
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        AssertSameTrees();
        Assert.True(File.Exists(Path.Combine(Module(ours), "sub", "a.keep")), push.Ours.ToString());
        Assert.False(File.Exists(Path.Combine(Module(ours), "sub", "gone.txt")), push.Ours.ToString());
        Assert.Equal(option == "-C", File.Exists(Path.Combine(Module(ours), "c.o")));
    }

    [Theory]
    [InlineData("-F", ".rsync-filter", "- *.txt\n")]
    [InlineData("--filter=: .rules", ".rules", "- *.txt\n")]
    [InlineData("-C", ".cvsignore", "*.txt\n")]
    public async Task A_pull_leaves_out_what_the_modules_own_rule_files_exclude(string option, string ruleFile, string rules)
    {
        string tree = Path.Combine(_work, "tree");
        Put(tree, "top.txt", "top\n");
        Put(tree, "sub/" + ruleFile, rules);
        Put(tree, "sub/x.txt", "excluded below sub\n");
        Put(tree, "sub/y.dat", "sent\n");
        Put(tree, "z.o", "excluded by -C's default list\n");
        foreach (string dir in new[] { tree, Path.Combine(tree, "sub") })
            Directory.SetLastWriteTimeUtc(dir, new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc));
        Seed(tree);
        var pull = await BothAsync(d => ["-av", option, Url(d, $"open/{_id}/"), Path.Combine(_work, d == stock ? "stock" : "ours") + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        AssertSamePulledTrees();
        string ourCopy = Path.Combine(_work, "ours");
        Assert.False(File.Exists(Path.Combine(ourCopy, "sub", "x.txt")), pull.Ours.ToString());
        Assert.True(File.Exists(Path.Combine(ourCopy, "sub", "y.dat")), pull.Ours.ToString());
        Assert.True(File.Exists(Path.Combine(ourCopy, "top.txt")), pull.Ours.ToString());
        Assert.Equal(option != "-C", File.Exists(Path.Combine(ourCopy, "z.o")));
    }
}
