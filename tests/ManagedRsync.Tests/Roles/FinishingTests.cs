using System.Diagnostics;
using System.Text.RegularExpressions;
using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// A receiving side's last steps of each file (ReceiverRole.Finishing.cs) over the in-memory pipe, both ways: a
/// receiving server (a push) finishes them on its finishing thread, a receiving client (a pull, our sender as the
/// server) in line (session 16 tried the thread there and went back, RESULTS.md). Either way every file lands with its
/// attributes, and a file that cannot take its name (immutable: the rename fails with EPERM, even for root) fails
/// alone, in stock's words, with no temporary file left; the run ends as a partial transfer (rsync.c:
/// finish_transfer, receiver.c: recv_files), with and without -v.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FinishingTests : IDisposable
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

    private static TransferOptions Options(int protocol, bool verbose, bool incremental) =>
        TransferOptions.Archive with { Protocol = protocol, Verbose = verbose ? 1 : 0, IncrementalRecursion = incremental };

    // serverSends (a pull: the client receives; else a push: the server receives), protocol, -v, incremental recursion.
    public static TheoryData<bool, int, bool, bool> Runs() => new()
    {
        { true, 32, false, true },
        { true, 32, false, false },
        { true, 29, false, false },
        { true, 32, true, true },
        { false, 32, false, true },
        { false, 29, false, true },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Files_are_finished_with_their_attributes(bool serverSends, int protocol, bool verbose, bool incremental)
    {
        string src = ScratchTree.Make(_root, "src", f => f, [.. Enumerable.Range(0, 300).Select(i => $"d{i % 7}/f{i:000}")]);
        var time = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);
        int n = 0;
        foreach (string file in Directory.GetFiles(src, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            File.SetUnixFileMode(file, (UnixFileMode)(n % 3 == 0 ? 0x180 /* 0600 */ : 0x1A4 /* 0644 */));
            File.SetLastWriteTimeUtc(file, time.AddSeconds(n++));
        }
        string dest = Path.Combine(_root, "dest");
        var (result, _) = await PipeTransfer.RunAsync(src, dest, Options(protocol, verbose, incremental), serverSends);

        Assert.Equal(RsyncExitCode.Ok, result.ExitCode);
        foreach (string file in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
        {
            string copy = Path.Combine(dest, Path.GetRelativePath(src, file));
            Assert.Equal(File.ReadAllText(file), File.ReadAllText(copy));
            Assert.Equal(File.GetLastWriteTimeUtc(file), File.GetLastWriteTimeUtc(copy));
            Assert.Equal(File.GetUnixFileMode(file), File.GetUnixFileMode(copy));
        }
        Assert.Equal(300, Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Length);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task A_file_that_cannot_take_its_name_fails_alone_and_leaves_no_temporary_file(bool serverSends, int protocol, bool verbose,
        bool incremental)
    {
        Assert.True(Environment.UserName == "root", "the test makes a file immutable (chattr +i): it needs root");
        string src = ScratchTree.Make(_root, "src", f => f + " new", "a", "dir/locked", "dir/next", "z");
        string dest = ScratchTree.Make(_root, "dest", f => "old", "dir/locked");
        string locked = Path.Combine(dest, "dir", "locked");
        Assert.True(Chattr("+i", locked) == 0, "chattr +i failed: the test directory's file system must have the immutable flag");
        _locked.Add(locked);

        var (result, log) = await PipeTransfer.RunAsync(src, dest, Options(protocol, verbose, incremental), serverSends);

        Assert.Equal(RsyncExitCode.Partial, result.ExitCode);
        string errors = string.Join('\n', log.All.Where(l => l.StartsWith("E ", StringComparison.Ordinal)));
        Assert.Matches(new Regex($"rsync: \\[receiver\\] rename \"{Regex.Escape(dest)}/dir/\\.locked\\.[A-Za-z0-9]{{6}}\" -> \"dir/locked\": Operation not permitted \\(1\\)"), errors);
        Assert.Equal("old", File.ReadAllText(locked));
        Assert.Equal("dir/next new", File.ReadAllText(Path.Combine(dest, "dir", "next")));
        Assert.Equal("z new", File.ReadAllText(Path.Combine(dest, "z")));
        Assert.Equal(["a", "dir/locked", "dir/next", "z"],
            Directory.GetFiles(dest, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(dest, f)).Order(StringComparer.Ordinal));
    }
}
