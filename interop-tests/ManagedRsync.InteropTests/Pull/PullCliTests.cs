using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>The mrsync command line for pulls and listings, side by side with stock rsync.</summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullCliTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "cli-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        _sandbox.Dispose();
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url(string path = "") => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/{path}";

    [Fact]
    public async Task ArchivePullRestoresTheTreeAndExitsZero()
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);

        var result = await daemon.RunMrsyncAsync(["-a", Url(), _sandbox.Destination + "/"]);

        Assert.True(result.ExitCode == 0, daemon.Explain(result));
        PullTree.AssertSame(_source, _sandbox.Destination);
    }

    [Fact]
    public async Task RemoteSourceWithoutDestinationListsLikeStockRsync()
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);

        var ours = await daemon.RunMrsyncAsync(["-r", Url()]);
        var theirs = await daemon.RunRsyncAsync(["-r", "--no-inc-recursive", Url()]);

        Assert.True(ours.ExitCode == 0, daemon.Explain(ours, theirs));
        Assert.Equal(theirs.Stdout, ours.Stdout);
    }

    // rsync options.c: a remote source with no destination implies --list-only, and without -r --list-only implies
    // --dirs ('d' in the server options), so the top directory's entries are listed instead of "skipping directory".
    [Theory]
    [InlineData("")]
    [InlineData("dir/")]
    [InlineData("dir")]
    [InlineData("hello.txt")]
    public async Task RemoteSourceWithoutDestinationOrRecursionListsLikeStockRsync(string path)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);

        var ours = await daemon.RunMrsyncAsync([Url(path)]);
        var theirs = await daemon.RunRsyncAsync([Url(path)]);

        Assert.True(ours.ExitCode == 0 && theirs.ExitCode == 0, daemon.Explain(ours, theirs));
        Assert.NotEmpty(theirs.Stdout);
        Assert.DoesNotContain("skipping", theirs.Stdout + theirs.Stderr, StringComparison.Ordinal);
        Assert.Equal(theirs.Stdout, ours.Stdout);
        Assert.Equal(theirs.Stderr, ours.Stderr);
    }

    // rsync exclude.c: send_filter_list spells rules for the negotiated protocol. Before 29 the daemon parses rules
    // with XFLG_OLD_PREFIXES (only "+ "/"- "), so the 32 spelling "-s hello.txt" would be a pattern matching
    // nothing there and hello.txt would come; the protocol-28 spelling is the bare pattern.
    [Theory]
    [InlineData(28)]
    [InlineData(30)]
    public async Task FilterRulesAreSpelledForTheNegotiatedProtocol(int protocol)
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);

        var result = await daemon.RunMrsyncAsync(["-a", $"--protocol={protocol}", "--filter=-s hello.txt", "--filter=-p zero-length",
            Url(), _sandbox.Destination + "/"]);

        Assert.True(result.ExitCode == 0, daemon.Explain(result));
        Assert.False(File.Exists(Path.Combine(_sandbox.Destination, "hello.txt")), daemon.Explain(result));
        Assert.False(File.Exists(Path.Combine(_sandbox.Destination, "zero-length")), daemon.Explain(result));
        Assert.True(File.Exists(Path.Combine(_sandbox.Destination, "dir/sub/deep.txt")), daemon.Explain(result));
    }

    // rsync -v: the list header, "created directory", then one line per created or updated entry in file-list order
    // (directories with '/', symlinks with their target), whichever of the generator or the receiver settles it.
    [Fact]
    public async Task VerboseOutputNamesEntriesInStockRsyncsOrder()
    {
        Directory.CreateDirectory(_source);
        PullTree.CreateSample(_source);
        Directory.CreateDirectory(Path.Combine(_source, "more/deeper"));
        File.WriteAllText(Path.Combine(_source, "more/deeper/last.txt"), "last\n");
        File.WriteAllText(Path.Combine(_source, "more/a.txt"), "a\n");
        string ours = Path.Combine(_sandbox.Destination, "ours");
        string theirs = Path.Combine(_sandbox.Destination, "theirs");

        var mine = await daemon.RunMrsyncAsync(["-av", Url(), ours + "/"]);
        var stock = await daemon.RunRsyncAsync(["-av", Url(), theirs + "/"]);

        Assert.True(mine.ExitCode == 0 && stock.ExitCode == 0, daemon.Explain(mine, stock));
        Assert.Contains("more/deeper/last.txt", stock.Stdout, StringComparison.Ordinal);
        Assert.Equal(NameLines(stock.Stdout, theirs), NameLines(mine.Stdout, ours));
    }

    // What -v prints before the closing "sent ... received ..." paragraph, with the destination path made neutral.
    private static string NameLines(string stdout, string destination)
    {
        int end = stdout.IndexOf("\n\n", StringComparison.Ordinal);
        return (end < 0 ? stdout : stdout[..end]).Replace(destination, "DEST", StringComparison.Ordinal);
    }
}
