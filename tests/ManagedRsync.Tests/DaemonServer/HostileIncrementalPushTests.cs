using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// A raw client (<see cref="HostilePushClient"/>) pushing incremental file lists into `mrsync daemon` that no real
/// sender sends (protocol-notes §25, §44): a part for a directory never listed, a second part for one directory, a
/// part for a directory listed twice (the copy stock's list cleaning clears), names outside the part's directory,
/// under a symlink the module holds, climbing with ".." or absolute, a part after the final NDX_DONE, a transfer
/// index of a cleared duplicate, an undeclared hard-link back-reference. Each ends with stock 3.5.0's words (in the
/// daemon's log, where upstream's proto-* tests look for them) and its exit code, and nothing outside the module
/// (a canary tree beside it, reachable through the module's symlink) is touched.
/// </summary>
public sealed class HostileIncrementalPushTests : IDisposable
{
    // -r with incremental recursion offered ('i' after "e."), byte file-list flags (no 'v'), as upstream's tests send.
    private static readonly string[] s_args = ["--server", "-re.iLsfxCIu", ".", "m/"];

    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-hostile-ir-").FullName;

    public HostileIncrementalPushTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "mod"));
        Directory.CreateDirectory(Path.Combine(_dir, "outside", "x"));
        File.WriteAllText(Path.Combine(_dir, "outside", "x", "keep"), "untouched");
        File.CreateSymbolicLink(Path.Combine(_dir, "mod", "link"), "../outside");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "rsyncd.log");

    private DaemonOptions Options(string extra = "")
    {
        string config = Path.Combine(_dir, "rsyncd.conf");
        File.WriteAllText(config,
            $"use chroot = no\nlog file = {Log}\n[m]\npath = {_dir}/mod\nread only = no\nuid = root\ngid = root\n{extra}\n");
        return new DaemonOptions { ConfigFile = config };
    }

    private string[] Outside() =>
        [.. Directory.EnumerateFileSystemEntries(Path.Combine(_dir, "outside"), "*", SearchOption.AllDirectories).Order()];

    // Runs the script and asserts the daemon's words, its exit code, and that the canary outside the module is intact.
    private async Task AssertRefusedAsync(Action<HostilePushClient> script, string words, RsyncExitCode exit, string[]? args = null)
    {
        string[] before = Outside();
        await using HostilePushClient client = await HostilePushClient.ConnectAsync(Options(), args ?? s_args);
        Assert.Equal(1, client.CompatFlags & 1); // CF_INC_RECURSE: the daemon reads the lists part by part
        script(client);
        await client.SendAsync();
        Assert.Equal(exit, await client.FinishAsync());
        Assert.Contains(words, File.ReadAllText(Log), StringComparison.Ordinal);
        Assert.Equal(before, Outside());
        Assert.Equal("untouched", File.ReadAllText(Path.Combine(_dir, "outside", "x", "keep")));
        Assert.False(File.Exists(Path.Combine(_dir, "outside", "passwd")));
    }

    // The first part: directory "d" and a file whose data never comes, so the first part stays alive.
    private static HostilePushClient First(HostilePushClient c) =>
        c.Entry("d", HostilePushClient.Directory, topDir: true).Entry("f", HostilePushClient.Regular, 100).End();

    [Fact]
    public Task A_part_for_a_directory_never_listed_is_refused() =>
        // rsync.c: read_ndx_and_attrs — the raw index and the range of the directory table.
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset - 5).Entry("x", HostilePushClient.Regular).End(),
            "Invalid dir index: -106 (-101 - -101)", RsyncExitCode.StreamIo);

    [Fact]
    public Task A_second_part_for_one_directory_is_refused() =>
        AssertRefusedAsync(c => First(c)
                .Index(HostilePushClient.FlistOffset).Entry("d/a", HostilePushClient.Regular).End()
                .Index(HostilePushClient.FlistOffset).Entry("d/b", HostilePushClient.Regular).End(),
            "refusing malicious duplicate flist for dir 0", RsyncExitCode.StreamIo);

    [Fact]
    public Task A_part_for_the_cleared_copy_of_a_directory_listed_twice_is_refused() =>
        // flist.c: flist_sort_and_clean clears the second "d"; recv_file_list refuses its part (proto-cleared-dirflist).
        AssertRefusedAsync(c => c.Entry("d", HostilePushClient.Directory, topDir: true).Entry("d", HostilePushClient.Directory, topDir: true)
                .Entry("f", HostilePushClient.Regular, 100).End()
                .Index(HostilePushClient.FlistOffset - 1).Entry("d/x", HostilePushClient.Regular).End(),
            "refusing flist for cleared dir_ndx 1", RsyncExitCode.StreamIo);

    [Fact]
    public Task A_name_under_the_modules_symlink_is_refused() =>
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry("link/passwd", HostilePushClient.Regular, 5).End(),
            "ABORTING due to invalid path from sender: link/passwd", RsyncExitCode.Unsupported);

    [Fact]
    public Task A_name_climbing_out_with_dot_dot_is_refused() =>
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry("d/../../outside/passwd", HostilePushClient.Regular, 5).End(),
            "ABORTING due to unsafe pathname from sender:", RsyncExitCode.Unsupported);

    [Fact]
    public Task An_absolute_name_is_refused() =>
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry($"{_dir}/outside/passwd", HostilePushClient.Regular, 5).End(),
            $"ABORTING due to unsafe pathname from sender: {_dir}/outside/passwd", RsyncExitCode.Unsupported);

    [Fact]
    public Task A_part_after_the_final_one_is_refused() =>
        // Two directories and nothing to transfer: the sender's one NDX_DONE ends the first phase (proto-subflist-freed).
        AssertRefusedAsync(c => c.Entry("d", HostilePushClient.Directory, topDir: true).Entry("e", HostilePushClient.Directory, topDir: true).End()
                .Index(-1).Index(HostilePushClient.FlistOffset).Entry("d/x", HostilePushClient.Regular).End(),
            "refusing sub-flist after final flist was freed", RsyncExitCode.StreamIo);

    // -H with incremental recursion (as upstream's proto-hlink-gnum sends it).
    private static readonly string[] s_hardLinkArgs = ["--server", "-rHe.iLsfxCIu", ".", "m/"];

    [Fact]
    public Task An_undeclared_hard_link_back_reference_is_refused() =>
        // hlink.c: match_gnums — the part for "d" starts at 4 (1 + 2 entries + its directory's slot); group number 1
        // is the directory "d", never a group's first (upstream's proto-hlink-gnum).
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry("d/h", HostilePushClient.Regular, hardLinkTo: 1).End(),
            "hard-link gnum 1 precedes flist start 4", RsyncExitCode.Protocol, s_hardLinkArgs);

    [Fact]
    public Task A_back_reference_to_a_file_that_was_not_a_groups_first_is_refused() =>
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry("d/h", HostilePushClient.Regular, hardLinkTo: 2).End(),
            "hard-link gnum 2 precedes flist start 4", RsyncExitCode.Protocol, s_hardLinkArgs);

    [Fact]
    public Task A_back_reference_beyond_what_was_received_is_refused() =>
        // flist.c: recv_file_entry — the bound is the part's start plus the entries read so far.
        AssertRefusedAsync(c => First(c).Index(HostilePushClient.FlistOffset).Entry("d/a", HostilePushClient.Regular)
                .Entry("d/h", HostilePushClient.Regular, hardLinkTo: 5).End(),
            "hard-link reference out of range: 5 (5)", RsyncExitCode.Protocol, s_hardLinkArgs);

    [Fact]
    public Task A_back_reference_to_a_first_cleared_as_a_duplicate_is_refused() =>
        // The first part: "d", "f", the file "h" as a group's first (index 3) and a directory "h", which list cleaning
        // keeps over the file (flist.c: flist_sort_and_clean), so group 3 is never declared; the part for "d" starts
        // at 6.
        AssertRefusedAsync(c => c.Entry("d", HostilePushClient.Directory, topDir: true).Entry("f", HostilePushClient.Regular, 100)
                .Entry("h", HostilePushClient.Regular, 10, hardLinkFirst: true).Entry("h", HostilePushClient.Directory, topDir: true).End()
                .Index(HostilePushClient.FlistOffset).Entry("d/x", HostilePushClient.Regular, hardLinkTo: 3).End(),
            "hard-link gnum 3 precedes flist start 6", RsyncExitCode.Protocol, s_hardLinkArgs);

    [Fact]
    public async Task A_transfer_index_of_a_cleared_duplicate_is_refused()
    {
        // Without incremental recursion (no 'i'): the list holds "dup.txt" twice, index 1 is the cleared copy
        // (receiver.c: recv_files; proto-cleared-ndx).
        string[] before = Outside();
        await using HostilePushClient client = await HostilePushClient.ConnectAsync(Options(), "--server", "-e.LsfxCIu", ".", "m/");
        client.Entry("dup.txt", HostilePushClient.Regular).Entry("dup.txt", HostilePushClient.Regular).End().Transfer(1);
        await client.SendAsync();
        Assert.Equal(RsyncExitCode.StreamIo, await client.FinishAsync());
        Assert.Contains("refusing transfer of cleared file index 1", File.ReadAllText(Log), StringComparison.Ordinal);
        Assert.Equal(before, Outside());
    }
}
