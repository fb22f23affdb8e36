using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// -R with incremental recursion on a pull (protocol-notes §57): stock's daemon sends only the first directory of a
/// relative name in the first list and each further component in the list of the directory before it (flist.c:
/// send_implied_dirs, send1extra). The guards of the CVE-2024-12087 class for such lists, each reached through a scripted
/// daemon that asks for "src/./a/b/c", sends a well-formed first part ("a", an implied directory) and then one hostile
/// part: a name outside the requested tree, a path under a symlink, a list for an implied directory never sent, and a
/// second list for one. Each asserts the guard's message and exit code and the sandbox (<see cref="HostilePull"/>).
/// </summary>
public sealed class RelativeIncrementalGuardTests : IDisposable
{
    // CF_VARINT_FLIST_FLAGS | CF_CHKSUM_SEED_FIX | CF_SAFE_FLIST | CF_INC_RECURSE.
    private const int IncrementalFlags = 0x80 | 0x20 | 0x08 | 0x01;

    private static readonly TransferOptions s_options = TransferOptions.Archive with { Owner = false, Group = false, Relative = true };

    private readonly HostilePull _pull = new();

    public void Dispose() => _pull.Dispose();

    // The first part holds "a" alone (directory 0), so the script's next part follows at once, as stock's does
    // (flist.c: send_file_list sends one more list when the first holds one entry).
    private async Task AssertRefused(Action<HostileFileList, NdxCodec> after, string message, RsyncExitCode exit)
    {
        var daemon = new HostileDaemon(async (s, ct) =>
        {
            await s.HandshakeAsync(ct, compatFlags: IncrementalFlags);
            var list = new HostileFileList(s).Add("a", HostileFileList.Directory).EndPart();
            after(list, new NdxCodec(32));
            await list.SendAsync(ct);
            await s.DrainAsync(ct);
        });
        RsyncException e = await _pull.ExpectFailureAsync(daemon, "src/./a/b/c", s_options);
        Assert.Equal(message, e.Message);
        Assert.Equal(exit, e.ExitCode);
        Assert.False(Directory.Exists(Path.Combine(_pull.Sandbox.Destination, "a", "e")));
    }

    [Fact]
    public Task AnImpliedDirectorysListNamingASiblingOfTheRequestedPathIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("a/e", HostileFileList.Directory).EndPart(),
            "rejecting unrequested file-list name: a/e", RsyncExitCode.Unsupported);

    [Fact]
    public Task AFileBesideTheImpliedPathIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("a/b", HostileFileList.Directory)
                .Add("a/passwd", HostileFileList.Regular, 4).EndPart(),
            "rejecting unrequested file-list name: a/passwd", RsyncExitCode.Unsupported);

    [Fact]
    public Task AnAbsoluteNameLosesItsSlashAndIsGuardedAsAnyOther() =>
        // With -R a sender lists an absolute source's names with a leading '/' and the receiver takes them without it
        // (flist.c: recv_file_entry refuses one only without -R; flist_sort_and_clean's strip_root): what is left is
        // beneath the destination and checked as any name is.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("/a/b", HostileFileList.Directory)
                .Add("/a/passwd", HostileFileList.Regular, 4).EndPart(),
            "rejecting unrequested file-list name: a/passwd", RsyncExitCode.Unsupported);

    [Fact]
    public Task AnImpliedDirectorySentAsASymlinkIsRefused() =>
        // Only a directory may stand for a leading directory of the requested name (exclude.c: is_implied_parent_dir).
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("a/b", HostileFileList.Symlink, 4, "/etc").EndPart(),
            "rejecting unrequested file-list name: a/b", RsyncExitCode.Unsupported);

    [Fact]
    public Task AListUnderTheRequestedNameSentAsASymlinkIsRefused() =>
        // "a/b/c" may be a symlink (it was asked for by name), but then it joins no directory table: no list reaches it.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("a/b", HostileFileList.Directory).EndPart()
                .Index(ndx, Ndx.FlistOffset - 1).Add("a/b/c", HostileFileList.Symlink, 7, "nowhere").EndPart()
                .Index(ndx, Ndx.FlistOffset - 2).Add("a/b/c/passwd", HostileFileList.Regular, 4).EndPart(),
            "Invalid dir index: -103 (-101 - -102)", RsyncExitCode.StreamIo);

    [Fact]
    public Task AListForAnImpliedDirectoryNeverSentIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1).Add("a/b/c", HostileFileList.Directory).EndPart(),
            "Invalid dir index: -102 (-101 - -101)", RsyncExitCode.StreamIo);

    [Fact]
    public Task ADeeperPathInTheImpliedDirectorysListIsRefused() =>
        // The rest of the path must come one directory at a time, each in its parent's list.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("a/b/c", HostileFileList.Directory).EndPart(),
            "ABORTING due to invalid path from sender: a/b/c", RsyncExitCode.Unsupported);

    [Fact]
    public Task ASecondListForTheImpliedDirectoryIsRefused() =>
        AssertRefused((l, ndx) => l
                .Index(ndx, Ndx.FlistOffset - 0).Add("a/b", HostileFileList.Directory).EndPart()
                .Index(ndx, Ndx.FlistOffset - 0).Add("a/b", HostileFileList.Symlink, 4, "/etc").EndPart(),
            "refusing malicious duplicate flist for dir 0", RsyncExitCode.StreamIo);
}
