using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedRsync.Destination;
using ManagedRsync.Roles.Receiver;
using ManagedRsync.Roles.Receiving;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;
using ManagedRsync.Transports;
using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// A receiving server's finishing thread (ReceiverRole.Finishing.cs) under a client sender, over the in-memory pipe:
/// every file lands with its attributes, and a file that cannot take its name (immutable: the rename fails with
/// EPERM, even for root) fails alone, in stock's words, with no temporary file left; the run ends as a partial
/// transfer (rsync.c: finish_transfer, receiver.c: recv_files).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ServerFinishingTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-finishing-").FullName;
    private readonly List<string> _locked = [];

    public void Dispose()
    {
        foreach (string path in _locked)
            Chattr("-i", path);
        Directory.Delete(_root, recursive: true);
    }

    private static int Chattr(string flag, string path)
    {
        using var chattr = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        chattr.WaitForExit();
        return chattr.ExitCode;
    }

    [Theory]
    [InlineData(32)]
    [InlineData(29)]
    public async Task Files_are_finished_with_their_attributes(int protocol)
    {
        string src = ScratchTree.Make(_root, "src", f => f, [.. Enumerable.Range(0, 300).Select(i => $"d{i % 7}/f{i:000}")]);
        var time = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        foreach (string file in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, (UnixFileMode)0x1A4 /* 0644 */);
            File.SetLastWriteTimeUtc(file, time);
        }
        string dest = Path.Combine(_root, "dest");
        var (sent, _) = await ServerPush.RunAsync(src, dest, TransferOptions.Archive with { Protocol = protocol });

        Assert.Equal(RsyncExitCode.Ok, sent.ExitCode);
        foreach (string file in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(dest, Path.GetRelativePath(src, file));
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(copy));
            Assert.Equal(time, File.GetLastWriteTimeUtc(copy));
            Assert.Equal((UnixFileMode)0x1A4, File.GetUnixFileMode(copy));
        }
        Assert.Equal(300, Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(29)]
    public async Task A_file_that_cannot_take_its_name_fails_alone_and_leaves_no_temporary_file(int protocol)
    {
        Assert.True(Environment.UserName == "root", "the test makes a file immutable (chattr +i): it needs root");
        string src = ScratchTree.Make(_root, "src", f => f + " new", "a", "dir/locked", "dir/next", "z");
        string dest = ScratchTree.Make(_root, "dest", f => "old", "dir/locked");
        string locked = Path.Combine(dest, "dir", "locked");
        Assert.True(Chattr("+i", locked) == 0, "chattr +i failed: the test directory's file system must have the immutable flag");
        _locked.Add(locked);

        var (sent, log) = await ServerPush.RunAsync(src, dest, TransferOptions.Archive with { Protocol = protocol });

        Assert.Equal(RsyncExitCode.Partial, sent.ExitCode);
        string errors = string.Join('\n', log.All.Where(l => l.StartsWith("E ", StringComparison.Ordinal)));
        Assert.Matches(new Regex($"rsync: \\[receiver\\] rename \"{Regex.Escape(dest)}/dir/\\.locked\\.[A-Za-z0-9]{{6}}\" -> \"dir/locked\": Operation not permitted \\(1\\)"), errors);
        Assert.Equal("old", File.ReadAllText(locked));
        Assert.Equal("dir/next new", File.ReadAllText(Path.Combine(dest, "dir", "next")));
        Assert.Equal("z new", File.ReadAllText(Path.Combine(dest, "z")));
        Assert.Equal(["a", "dir/locked", "dir/next", "z"],
            Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dest, f)).Order(StringComparer.Ordinal));
    }
}
