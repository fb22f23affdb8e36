using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// A --copy-dest basis the receiving side cannot read (protocol-notes.md §92; generator.c: copy_altdest_file, util1.c:
/// copy_file): as user nobody (root reads anything) stock rsync 3.5.0 and mrsync each fill dst/ from src/ with
/// <c>--copy-dest=../cd</c>, where cd/f and cd/sub/g are mode 000 matches and cd/h a readable one. Stock's generator
/// says <c>open "NAME": Permission denied (13)</c> for each unreadable basis (and with --info=copy or -v
/// <c>copy_file NAME => TMP</c>), transfers the file instead and exits 23. Sides: a local copy and a pull from stock's
/// daemon over a remote shell (the client stock's or ours), and a push from stock's client into stock's daemon or
/// ours, run as nobody by a "remote shell" that is setpriv. Exit code, error lines, output (temporary names and
/// racing order aside) and the tree must be stock's.
/// </summary>
public sealed partial class NonRootCopyDestTests : IDisposable
{
    private readonly string _root = Filters.StockRsyncRunner.CreateTempDirectory("nonrootcopydest");

    public void Dispose() => ToolProcess.RunAsync("rm", ["-rf", _root]).GetAwaiter().GetResult();

    private static readonly string[] AsNobody = ["--reuid=65534", "--regid=65534", "--clear-groups"];

    private static readonly DateTime Old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private static string Tool(bool stock) => stock ? "rsync" : MrsyncDaemonFixture.Executable;

    // One side's tree, all nobody's: src/ (f, sub/g, h), cd/ with the same files (f and sub/g mode 000), an empty
    // dst/, and a daemon config whose module is the side's directory.
    private async Task<string> Side(string name, bool stockServes)
    {
        string dir = Path.Combine(_root, name);
        foreach (string top in new[] { "src", "cd" })
        {
            Directory.CreateDirectory(Path.Combine(dir, top, "sub"));
            File.WriteAllText(Path.Combine(dir, top, "f"), "hello\n");
            File.WriteAllText(Path.Combine(dir, top, "sub", "g"), "inner\n");
            File.WriteAllText(Path.Combine(dir, top, "h"), "other\n");
        }
        Directory.CreateDirectory(Path.Combine(dir, "dst"));
        foreach (string f in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(f, Old);
        string conf = Path.Combine(dir, "rsyncd.conf");
        File.WriteAllText(conf, $"use chroot = no\nmunge symlinks = no\nreverse lookup = no\n[mod]\n    path = {dir}\n    read only = no\n");
        File.WriteAllText(Path.Combine(dir, "serve.sh"), $"exec {Tool(stockServes)} --config={conf} \"$@\"\n");
        Assert.Equal(0, (await ToolProcess.RunAsync("chown", ["-R", "65534:65534", dir])).ExitCode);
        File.SetUnixFileMode(Path.Combine(dir, "cd", "f"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(dir, "cd", "sub", "g"), UnixFileMode.None);
        foreach (string f in new[] { _root, dir, Path.Combine(dir, "serve.sh") })
            File.SetUnixFileMode(f, (UnixFileMode)Convert.ToInt32("755", 8));
        return dir;
    }

    private static Task<ProcessResult> Run(string way, bool stock, string dir, string[] options)
    {
        var env = new Dictionary<string, string?> { ["RSYNC_RSH"] = null, ["RSYNC_PASSWORD"] = null };
        string serve = $"--rsync-path={Path.Combine(dir, "serve.sh")}";
        string dst = Path.Combine(dir, "dst") + "/";
        return way switch
        {
            "local" => ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, Path.Combine(dir, "src") + "/", dst], env),
            // The client (stock's or ours) is nobody; stock's daemon is started by it over the shell "env".
            "pull" => ToolProcess.RunAsync("setpriv", [.. AsNobody, Tool(stock), .. options, "-e", "env", serve, "sh::mod/src/", dst], env),
            // Stock's client (root) pushes into stock's daemon or ours, run as nobody by the shell setpriv.
            "push" => ToolProcess.RunAsync("rsync", [.. options, "-e", "setpriv " + string.Join(' ', AsNobody), serve,
                Path.Combine(dir, "src") + "/", "sh::mod/dst/"], env),
            _ => throw new ArgumentException(way),
        };
    }

    [GeneratedRegex(@"\.([^/ ]+)\.[A-Za-z0-9]{6}( |:|$)", RegexOptions.Multiline)]
    private static partial Regex TempName();

    // Stock prints its generator's lines as they come, the receiver's as files arrive: the order between them races.
    private static string Lines(string text, string dir) => string.Join('\n', TempName()
        .Replace(text.Replace(dir, "DIR", StringComparison.Ordinal), ".$1.XXXXXX$2")
        .Split('\n')
        .Where(l => !l.StartsWith("sent ", StringComparison.Ordinal) && !l.StartsWith("total size", StringComparison.Ordinal)
            && !l.StartsWith("rsync error:", StringComparison.Ordinal) && !l.StartsWith("mrsync error:", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal));

    [Theory]
    // -v raises COPY to 1 (options.c: info_verbosity), as --info=copy does; with --inplace the copy goes to the name.
    [InlineData("local", "-a -i --info=copy")]
    [InlineData("local", "-a -v --inplace")]
    [InlineData("pull", "-a -v")]
    [InlineData("push", "-a -v")]
    public async Task An_unreadable_copy_dest_basis_is_reported_and_the_file_transferred_as_stock(string way, string options)
    {
        if (Environment.UserName != "root")
            Assert.Fail("the test needs root: it runs the receiving side as nobody");
        string[] args = [.. options.Split(' '), "--copy-dest=../cd"];
        var results = new List<string>();
        var trees = new List<string>();
        foreach (bool stock in new[] { true, false })
        {
            // A push is always stock's client: what differs is whose daemon receives.
            string dir = await Side(stock ? "stock" : "ours", stockServes: stock || way != "push");
            ProcessResult run = await Run(way, stock, dir, args);
            results.Add($"{run.ExitCode}\n--- stdout\n{Lines(run.Stdout, dir)}\n--- stderr\n{Lines(run.Stderr, dir)}");
            trees.Add(TreeSnapshot.Of(Path.Combine(dir, "dst"), rootTimes: false));
        }
        Assert.Equal(results[0], results[1]);
        Assert.Equal(trees[0], trees[1]);
        Assert.StartsWith("23\n", results[1], StringComparison.Ordinal);
        Assert.Contains("Permission denied (13)", results[1], StringComparison.Ordinal);
        Assert.Contains("f file", trees[1], StringComparison.Ordinal);
    }
}
