using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// A receiver that is not root and source directories without owner rwx (protocol-notes.md §78; generator.c:
/// recv_generator's gen_entry_chmod, touch_up_dirs' fix_dir_perms, delete.c: del_chmod): stock rsync 3.5.0 and mrsync
/// each fill the same tree as user nobody (setpriv) on every receiving side we have, a local copy, a pulling client
/// (from a stock sender over a "remote shell" that is sh) and a receiving server over a remote shell, twice: the
/// second time with a file changed and one removed, with --delete (or -n: nothing changes). A 0500 directory is made
/// writable while its contents are written and gets 0500 back; a 0555 one too; a 0600 one (owner write, no x) ends
/// 0700 in stock, which gives back only a mode without S_IWUSR. Trees (modes, mtimes), itemized output and exit codes
/// must be stock's.
/// </summary>
public sealed class NonRootDirectoryTests : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("nonrootdirs");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly string[] AsNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    private static readonly DateTime Old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static UnixFileMode Mode(string octal) => (UnixFileMode)Convert.ToInt32(octal, 8);

    // The source: restricted/ 0500 with two files, open/ 0555 with one, nox/ 0600 (empty) where the sender is root
    // (stock's sender as nobody cannot open a directory without x: opendir fails); all nobody's.
    private async Task<string> Source(string dir, bool secondTime, bool nox)
    {
        string src = Path.Combine(dir, "src");
        if (!secondTime)
        {
            Directory.CreateDirectory(Path.Combine(src, "restricted"));
            Directory.CreateDirectory(Path.Combine(src, "open"));
            if (nox)
                Directory.CreateDirectory(Path.Combine(src, "nox"));
            File.WriteAllText(Path.Combine(src, "restricted", "inner"), "one");
            File.WriteAllText(Path.Combine(src, "restricted", "gone"), "two");
            File.WriteAllText(Path.Combine(src, "open", "f"), "three");
            foreach (string f in new[] { "restricted/inner", "restricted/gone", "open/f" })
                File.SetLastWriteTimeUtc(Path.Combine(src, f), Old);
        }
        else
        {
            File.SetUnixFileMode(Path.Combine(src, "restricted"), Mode("700"));
            File.WriteAllText(Path.Combine(src, "restricted", "inner"), "changed, longer");
            File.SetLastWriteTimeUtc(Path.Combine(src, "restricted", "inner"), Old.AddDays(30));
            File.Delete(Path.Combine(src, "restricted", "gone"));
        }
        foreach (string d in new[] { "restricted", "open", "." }.Concat(nox ? ["nox"] : []))
            File.SetLastWriteTimeUtc(Path.Combine(src, d), Old.AddYears(1));
        File.SetUnixFileMode(Path.Combine(src, "restricted"), Mode("500"));
        File.SetUnixFileMode(Path.Combine(src, "open"), Mode("555"));
        if (nox)
            File.SetUnixFileMode(Path.Combine(src, "nox"), Mode("600"));
        Assert.Equal(0, (await ToolProcess.RunAsync("chown", ["-R", "65534:65534", dir])).ExitCode);
        return src;
    }

    private static string Tool(bool stock) => stock ? "rsync" : MrsyncDaemonFixture.Executable;

    private async Task<ProcessResult> Run(string side, bool stock, string dir, string src, string[] options)
    {
        string dst = Path.Combine(dir, "dst");
        string serve = Path.Combine(dir, "serve.sh");
        var env = new Dictionary<string, string?> { ["RSYNC_RSH"] = null };
        return side switch
        {
            "local" => await ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, src + "/", dst + "/"], env),
            // The client is nobody; the sender is stock's, run by sh (the "host") as a script.
            "pull" => await ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, "-e", "env",
                $"--rsync-path={Path.Combine(dir, "serve-stock.sh")}", $"sh:{src}/", dst + "/"], env),
            // Stock's client (root) pushes to a receiving server run as nobody over a remote shell that is setpriv.
            "server" => await ToolProcess.RunAsync("rsync", [.. options, "-e", "setpriv " + string.Join(' ', AsNobody),
                $"--rsync-path={serve}", src + "/", $"sh:{dst}/"], env),
            _ => throw new ArgumentException(side),
        };
    }

    private async Task<string> Side(string name, bool stock)
    {
        string dir = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(dir, "dst"));
        File.WriteAllText(Path.Combine(dir, "serve.sh"), $"exec {Tool(stock)} \"$@\"\n");
        File.WriteAllText(Path.Combine(dir, "serve-stock.sh"), "exec rsync \"$@\"\n");
        foreach (string f in new[] { _root, dir, Path.Combine(dir, "serve.sh"), Path.Combine(dir, "serve-stock.sh") })
            File.SetUnixFileMode(f, Mode("755"));
        return dir;
    }

    [Theory]
    [InlineData("local", "-rpt -i", "-rpt -i --delete")]
    [InlineData("local", "-r -i", "-r -i --delete")]
    [InlineData("local", "-rpt -i --no-i-r", "-rpt -i --no-i-r --delete")]
    [InlineData("local", "-rpt -i", "-rpt -i -n --delete")]
    [InlineData("pull", "-rpt -i", "-rpt -i --delete")]
    [InlineData("pull", "-r -i", "-rp -i --delete-after")]
    [InlineData("pull", "-rpt -i --no-i-r", "-rpt -i --no-i-r --delete-delay")]
    [InlineData("pull", "-rpt -i", "-rpt -i -n --delete")]
    [InlineData("server", "-rpt -i", "-rpt -i --delete")]
    [InlineData("server", "-r -i", "-r -i --delete")]
    [InlineData("server", "-rpt -i --no-i-r", "-rpt -i --no-i-r --delete")]
    [InlineData("server", "-rpt -i", "-rpt -i -n --delete")]
    public async Task A_nonroot_receiver_fills_and_restores_restrictive_directories_as_stock(string side, string first, string second)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it runs the receiver as nobody");
        bool times = first.StartsWith("-rpt", StringComparison.Ordinal);
        bool nox = side == "server";
        var results = new List<string>();
        var trees = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            string dir = await Side(stock ? "stock" : "ours", stock);
            string src = await Source(dir, secondTime: false, nox);
            string dst = Path.Combine(dir, "dst");
            ProcessResult one = await Run(side, stock, dir, src, first.Split(' '));
            Assert.True(one.ExitCode == 0, one.ToString());
            string afterFirst = TreeSnapshot.Of(dst, times: times);
            await Source(dir, secondTime: true, nox);
            ProcessResult two = await Run(side, stock, dir, src, second.Split(' '));
            Assert.True(two.ExitCode == 0, two.ToString());
            string afterSecond = TreeSnapshot.Of(dst, times: times);
            if (second.Contains(" -n", StringComparison.Ordinal))
                Assert.Equal(afterFirst, afterSecond);
            results.Add($"{one.ExitCode}\n{one.Stdout.Replace(dir, "DIR", StringComparison.Ordinal)}\n{two.ExitCode}\n{two.Stdout.Replace(dir, "DIR", StringComparison.Ordinal)}\n{one.Stderr}{two.Stderr}");
            trees.Add(afterFirst + "---\n" + afterSecond);
        }
        Assert.Equal(trees[0], trees[1]);
        Assert.Equal(results[0], results[1]);
        Assert.Contains("restricted dir 500", trees[1], StringComparison.Ordinal);
        Assert.Contains("restricted/inner", trees[1], StringComparison.Ordinal);
        if (nox)
            Assert.Contains("nox dir 700", trees[1], StringComparison.Ordinal);
    }
}
