using System.Buffers;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// --safe-links against a hostile daemon (the CVE-2024-12088 class): the sender chooses every symlink target, so a
/// pull with --safe-links must make none that can lead out of the destination, however the ".." is hidden (after a
/// leading component, doubled slashes, "./", a trailing ".."), while safe links inside the tree are made. The same
/// pull without --safe-links makes them all, which shows the daemon really offered them.
/// </summary>
public sealed class SafeLinksHostileTests : IDisposable
{
    private readonly Sandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    // Link name, target: each one leaves the destination when followed from where it is made.
    private static readonly (string Name, string Target)[] Escaping =
    [
        ("evil-abs", "/etc"), ("evil-hidden", "a/../../outside"), ("evil-up", "../outside"), ("evil-dot", "./../outside"),
        ("sub/evil-double", "..//../outside"), ("sub/evil-tail", "x/../.."), ("sub/evil-deep", "../a/../../outside"),
    ];

    private static readonly (string Name, string Target)[] Inside = [("ok-down", "a/b"), ("sub/ok-up", "../a")];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task NoLinkLeadsOutOfTheDestination(bool safeLinks)
    {
        await using (HostileDaemon daemon = HostileDaemon.SendingFileList(List, FinishWithNothingToSend))
        {
            var request = new PullRequest
            {
                Source = DaemonAddress.Parse(daemon.ModuleUrl()),
                Destination = _sandbox.Destination,
                Options = TransferOptions.Archive with { SafeLinks = safeLinks },
            };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            TransferResult result = await RsyncClient.PullAsync(request, ct: timeout.Token);
            Assert.Equal(TransferOutcome.Complete, result.Outcome);
            if (safeLinks)
                Assert.Contains("--safe-links", daemon.Session!.Args);
        }
        foreach ((string name, string target) in Escaping)
        {
            string path = Path.Combine(_sandbox.Destination, name);
            if (safeLinks)
                Assert.False(File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null, $"{name} -> {target} was made");
            else
                Assert.Equal(target, new FileInfo(path).LinkTarget);
        }
        foreach ((string name, string target) in Inside)
            Assert.Equal(target, new FileInfo(Path.Combine(_sandbox.Destination, name)).LinkTarget);
        _sandbox.AssertOutsideUntouched();
    }

    // In rsync's order (files before directories, protocol 29+), so the list needs no sorting.
    private static void List(HostileFileList l)
    {
        l.Add(".", HostileFileList.Directory);
        foreach ((string name, string target) in Escaping.Concat(Inside).Where(e => !e.Name.Contains('/')).OrderBy(e => e.Name, StringComparer.Ordinal))
            l.Add(name, HostileFileList.Symlink, target.Length, target);
        l.Add("a", HostileFileList.Directory).Add("sub", HostileFileList.Directory);
        foreach ((string name, string target) in Escaping.Concat(Inside).Where(e => e.Name.Contains('/')).OrderBy(e => e.Name, StringComparer.Ordinal))
            l.Add(name, HostileFileList.Symlink, target.Length, target);
        l.End();
    }

    // Nothing is requested: the ends of phases 1, 2 and 3, the sender's five statistics and the final NDX_DONE, then
    // wait for the client to finish.
    private static async Task FinishWithNothingToSend(HostileSession s, CancellationToken ct)
    {
        var w = new ArrayBufferWriter<byte>();
        var codec = new NdxCodec(32);
        for (int i = 0; i < 3; i++)
            codec.Write(w, Ndx.Done);
        for (int i = 0; i < 5; i++)
            w.WriteVarLong(0, 3);
        codec.Write(w, Ndx.Done);
        await s.SendDataAsync(w.WrittenMemory, ct);
        await s.DrainAsync(ct);
    }
}
