using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// Names that are not valid UTF-8 (GBK, Latin-1) or hold a newline: the watcher keeps them as bytes, the push sends
/// those exact bytes, and the replica converges. The trees are created and compared outside .NET's string file APIs
/// (bash printf octal escapes; a Python os.walk over bytes), which cannot name such files.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WatchNameTests(RsyncDaemonFixture daemon)
{
    private const string Describe = """
        import hashlib, os, sys
        root = os.fsencode(sys.argv[1])
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for n in sorted(dirs + files):
                p = os.path.join(d, n)
                st = os.lstat(p)
                rel = os.path.relpath(p, root)
                if os.path.islink(p):
                    print(repr(rel), 'l', repr(os.readlink(p)))
                elif os.path.isdir(p):
                    print(repr(rel), 'd', oct(st.st_mode))
                else:
                    print(repr(rel), 'f', oct(st.st_mode), st.st_mtime_ns, hashlib.sha1(open(p, 'rb').read()).hexdigest())
        """;

    private static async Task ShAsync(string dir, string script)
    {
        ProcessResult r = await ToolProcess.RunAsync("bash", ["-c", "cd \"$1\" && " + script, "sh", dir]);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    private static async Task<string> DescribeAsync(string dir)
    {
        ProcessResult r = await ToolProcess.RunAsync("python3", ["-c", Describe, dir]);
        Assert.True(r.ExitCode == 0, "python3 is needed to list names as bytes: " + r);
        return r.Stdout;
    }

    private static async Task ConvergedAsync(WatchScenario s)
    {
        string want = "", got = "";
        var end = DateTime.UtcNow + Converge.Deadline;
        while (DateTime.UtcNow < end)
        {
            want = await DescribeAsync(s.Source);
            got = Directory.Exists(s.Replica) ? await DescribeAsync(s.Replica) : "";
            if (want == got)
                return;
            await Task.Delay(50);
        }
        Assert.Fail($"the replica did not converge.\n--- source ---\n{want}\n--- replica ---\n{got}\n{s.Explain()}");
    }

    [Fact]
    public async Task NamesThatAreNotUtf8OrHoldANewlineKeepTheirBytes()
    {
        using var s = new WatchScenario(daemon);
        try
        {
            await ShAsync(s.Source, "printf old > $'caf\\351'");
            await s.StartWatchAsync();
            await ConvergedAsync(s);

            // GBK file, a directory with a Latin-1 name and a file in it, a newline in a name, a symlink to a GBK name
            await ShAsync(s.Source, "printf gbk > $'gbk-\\304\\343\\272\\303.txt' && mkdir $'dir\\376' && printf in > $'dir\\376/in\\377' "
                + "&& printf nl > $'new\\nline' && ln -s $'gbk-\\304\\343\\272\\303.txt' $'link\\351'");
            await ConvergedAsync(s);

            // modify, rename and delete such names
            await ShAsync(s.Source, "printf changed >> $'gbk-\\304\\343\\272\\303.txt' && mv $'dir\\376' $'dir2\\375' "
                + "&& rm $'caf\\351' && mv $'new\\nline' $'re\\nnamed'");
            await ConvergedAsync(s);
            string replica = await DescribeAsync(s.Replica);
            Assert.Contains(@"b'gbk-\xc4\xe3\xba\xc3.txt'", replica, StringComparison.Ordinal);
            Assert.Contains(@"b're\nnamed'", replica, StringComparison.Ordinal);
            Assert.DoesNotContain(@"b'caf\xe9'", replica, StringComparison.Ordinal);
        }
        finally
        {
            // .NET's Directory.Delete cannot name these files.
            await ToolProcess.RunAsync("rm", ["-rf", s.Source, s.Replica]);
        }
    }
}
