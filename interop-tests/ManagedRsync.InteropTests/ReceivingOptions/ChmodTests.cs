using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// --chmod beside stock rsync 3.5.0 doing the same: it is never sent to the server, so on a push our sender applies it
/// to the file list (the daemon sets what the list says), on a pull our receiver applies it to the list it reads, and
/// a local copy only its sender (stock's receiving child drops the rules: pipe.c local_child). Rules: who/op/perms, X, s and t, copies ("g=u"), D and F limits,
/// octal modes, several --chmod options, rules without a "who" (limited by the umask), with -p and without it (then
/// only new files take the list's mode). Trees, itemized output, first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ChmodTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-chmod-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows()
    {
        var rows = new TheoryData<string, InplaceAppendTests.Way>();
        foreach (string options in new[]
                 {
                     "-a --chmod=ug+rwX,o-rwx", "-a --chmod=Du+s,Fg=u --chmod=o=", "-a --chmod=D2755,F640", "-a --chmod=+x",
                     "-a --chmod=a+t,u-w", "-rlt --chmod=go-w,F+X", "-a --chmod=a=rX,u+w --delete",
                     // Copies are not idempotent: applied once, by the side that makes or reads the list.
                     "-a --chmod=g=o,o=", "-a --chmod=Fu=g", "-a --chmod=Do=u,Fg-o",
                 })
        {
            foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
                rows.Add(options, way);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        var places = OptionScenario.Places.For(daemon, _work, way);
        await WriteSourceAsync(places.Source);
        WriteDestination(Path.Combine(places.StockRoot, "dest"));
        WriteDestination(Path.Combine(places.OursRoot, "dest"));
        string from = places.From();
        string stockRoot = places.StockRoot, oursRoot = places.OursRoot;

        ProcessResult stock = await daemon.RunRsyncAsync([.. args, from, places.To(stock: true)]);
        ProcessResult ours = await daemon.RunMrsyncAsync([.. args, from, places.To(stock: false)]);

        OptionScenario.AssertSameResult(daemon, stock, ours, stockRoot, oursRoot);
    }

    [Theory]
    [InlineData("--chmod=u+r-w")]
    [InlineData("--chmod=")]
    [InlineData("--chmod=99")]
    [InlineData("--chmod=DF+r")]
    [InlineData("--chmod=u+ru")]
    public async Task BadRulesAreStocksError(string option)
    {
        string source = Path.Combine(_work, "src");
        await WriteSourceAsync(source);
        ProcessResult stock = await daemon.RunRsyncAsync(["-a", option, source + "/", Path.Combine(_work, "none") + "/"]);
        ProcessResult ours = await daemon.RunMrsyncAsync(["-a", option, source + "/", Path.Combine(_work, "none") + "/"]);
        Assert.True(stock.ExitCode == 1 && ours.ExitCode == 1, daemon.Explain(stock, ours));
        Assert.Equal(OptionScenario.FirstError(stock), OptionScenario.FirstError(ours));
        Assert.False(Directory.Exists(Path.Combine(_work, "none")));
    }

    private static async Task WriteSourceAsync(string root)
    {
        OptionScenario.Write(root, "plain.txt", "rw-r--r--\n", OptionScenario.Mid);
        OptionScenario.Write(root, "script.sh", "#!/bin/sh\n", OptionScenario.Mid);
        File.SetUnixFileMode(Path.Combine(root, "script.sh"), (UnixFileMode)0x1ED); // 0755
        OptionScenario.Write(root, "private.key", "secret\n", OptionScenario.Mid);
        File.SetUnixFileMode(Path.Combine(root, "private.key"), (UnixFileMode)0x180); // 0600
        OptionScenario.Write(root, "sub/inner.txt", "inner\n", OptionScenario.Mid);
        await OptionScenario.SymlinkAsync(root, "link", "plain.txt");
        File.SetUnixFileMode(Path.Combine(root, "sub"), (UnixFileMode)0x1FD); // 0775
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "sub"), OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static void WriteDestination(string root)
    {
        // An existing copy with other modes: without -p it keeps them; with -p the list's (chmod'ed) modes win.
        OptionScenario.Write(root, "plain.txt", "rw-r--r--\n", OptionScenario.Mid);
        File.SetUnixFileMode(Path.Combine(root, "plain.txt"), (UnixFileMode)0x1B6); // 0666
        OptionScenario.Write(root, "stale.txt", "deleted with --delete\n", OptionScenario.Old);
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
