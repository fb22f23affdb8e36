using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// The guards on the parts of an incremental file list (protocol-notes §25; the class of CVE-2024-12087: a later part
/// naming paths outside its directory or the requested tree, under a symlink, for a directory never listed, or twice
/// for one directory), each reached through a scripted daemon that turns on CF_INC_RECURSE and sends a well-formed
/// first part, so that only the guard under test can stop the pull. Each case asserts the guard's message and exit
/// code, and the sandbox (<see cref="HostilePull"/>): nothing outside the destination touched, no temp file, the
/// existing file intact.
/// </summary>
public sealed class IncrementalListGuardTests : IDisposable
{
    // CF_VARINT_FLIST_FLAGS | CF_CHKSUM_SEED_FIX | CF_SAFE_FLIST | CF_INC_RECURSE.
    private const int IncrementalFlags = 0x80 | 0x20 | 0x08 | 0x01;

    // -r without -o/-g: the entries carry no ids, so the scripted lists stay short.
    private static readonly TransferOptions s_options = TransferOptions.Archive with { Owner = false, Group = false };

    private readonly HostilePull _pull = new();

    public void Dispose() => _pull.Dispose();

    // The first part: "." (directory 0), "sub" (directory 1), "link" (a symlink) and "top.txt"; then what the script
    // writes after it, all on the data stream as the sender interleaves it with file data.
    private async Task AssertRefused(Action<HostileFileList, NdxCodec> after, string message, RsyncExitCode exit = RsyncExitCode.StreamIo)
    {
        var daemon = new HostileDaemon(async (s, ct) =>
        {
            await s.HandshakeAsync(ct, compatFlags: IncrementalFlags);
            var list = new HostileFileList(s)
                .Add(".", HostileFileList.Directory)
                .Add("sub", HostileFileList.Directory)
                .Add("link", HostileFileList.Symlink, 7, "nowhere")
                .Add("top.txt", HostileFileList.Regular, 0)
                .EndPart();
            after(list, new NdxCodec(32));
            await list.SendAsync(ct);
            await s.DrainAsync(ct);
        });
        RsyncException e = await _pull.ExpectFailureAsync(daemon, options: s_options);
        Assert.Equal(message, e.Message);
        Assert.Equal(exit, e.ExitCode);
    }

    [Fact]
    public Task APartForADirectoryNeverListedIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 2).Add("sub/x", HostileFileList.Regular).EndPart(),
            "Invalid dir index: -103 (-101 - -102)");

    [Fact]
    public Task APartForTheSymlinkIsRefused() =>
        // The directory table holds "." and "sub" only: "link" is not a directory, so no index reaches it.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 3).Add("link/passwd", HostileFileList.Regular).EndPart(),
            "Invalid dir index: -104 (-101 - -102)");

    [Fact]
    public Task APartNamingAPathUnderTheSymlinkIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1).Add("link/passwd", HostileFileList.Regular).EndPart(),
            "ABORTING due to invalid path from sender: link/passwd", RsyncExitCode.Unsupported);

    [Fact]
    public Task APartNamingAPathOutsideItsDirectoryIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1).Add("other/x", HostileFileList.Regular).EndPart(),
            "ABORTING due to invalid path from sender: other/x", RsyncExitCode.Unsupported);

    [Fact]
    public Task APartNamingAPathDeeperThanItsDirectoryIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1).Add("sub/deep/x", HostileFileList.Regular).EndPart(),
            "ABORTING due to invalid path from sender: sub/deep/x", RsyncExitCode.Unsupported);

    [Fact]
    public Task APartClimbingOutOfTheTreeIsRefused() =>
        // A direct child of "sub" by its shape, stopped by the name check every part goes through.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1).Add("sub/..", HostileFileList.Directory).EndPart(),
            "ABORTING due to unsafe pathname from sender: sub/..", RsyncExitCode.Unsupported);

    [Fact]
    public Task ASecondPartForOneDirectoryIsRefused() =>
        AssertRefused((l, ndx) => l
                .Index(ndx, Ndx.FlistOffset - 1).Add("sub/a", HostileFileList.Regular).EndPart()
                .Index(ndx, Ndx.FlistOffset - 1).Add("sub/b", HostileFileList.Symlink, 7, "nowhere").EndPart(),
            "refusing malicious duplicate flist for dir 1");

    [Fact]
    public Task APartForTheTransferRootIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 0).Add("x", HostileFileList.Regular).EndPart(),
            "refusing a file list for the transfer root (dir 0)");

    [Fact]
    public Task APartAfterTheLastIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistEof).Index(ndx, Ndx.FlistOffset - 1).EndPart(),
            "refusing a file list after the last one (NDX_FLIST_EOF)");

    // A negative index that is neither NDX_DONE, NDX_FLIST_EOF, NDX_DEL_STATS nor an announcement (rsync.c:
    // read_ndx_and_attrs, "Invalid file index"): refused where the index is read, before the lists see it.
    [Fact]
    public Task ANegativeIndexThatAnnouncesNothingIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, -50), "Invalid file index: -50 (-1 - 4)");

    [Fact]
    public Task ASecondEndOfTheListsIsRefused() =>
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistEof).Index(ndx, Ndx.FlistEof),
            "a second end of the incremental file lists");

    [Fact]
    public Task A_symlink_listed_again_as_a_directory_in_its_part_is_cleared_and_its_use_refused() =>
        // flist.c: flist_sort_and_clean keeps the directory (files sort before directories: the symlink is index 6,
        // the first of its part); receiver.c: recv_files refuses a transfer of the cleared copy.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1)
                .Add("sub/d", HostileFileList.Directory).Add("sub/d", HostileFileList.Symlink, 7, "nowhere").EndPart()
                .Index(ndx, 6).Raw([0x00, 0x80]),
            "refusing transfer of cleared file index 6");

    [Fact]
    public Task A_file_listed_again_as_a_directory_with_a_name_between_them_is_cleared_and_its_use_refused() =>
        // Sorted, "sub/d" (file, 6) and "sub/d.x" (7) come before the directory "sub/d" (8): the two copies are not
        // neighbours, and the part is still handled as one with a name listed twice (the directory kept).
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1)
                .Add("sub/d", HostileFileList.Regular, 1).Add("sub/d.x", HostileFileList.Regular, 1)
                .Add("sub/d", HostileFileList.Directory).EndPart()
                .Index(ndx, 6).Raw([0x00, 0x80]),
            "refusing transfer of cleared file index 6");

    [Fact]
    public Task A_file_listed_twice_in_its_part_is_cleared_and_its_use_refused() =>
        // fsort is stable: of the two "sub/f" the first (index 6) is kept, the second (7) cleared.
        AssertRefused((l, ndx) => l.Index(ndx, Ndx.FlistOffset - 1)
                .Add("sub/f", HostileFileList.Regular, 1).Add("sub/e", HostileFileList.Regular, 1)
                .Add("sub/f", HostileFileList.Regular, 1).EndPart()
                .Index(ndx, 8).Raw([0x00, 0x80]),
            "refusing transfer of cleared file index 8");

    [Fact]
    public async Task AFirstPartWithANestedNameIsRefused()
    {
        var daemon = new HostileDaemon(async (s, ct) =>
        {
            await s.HandshakeAsync(ct, compatFlags: IncrementalFlags);
            await new HostileFileList(s).Add(".", HostileFileList.Directory).Add("sub/x", HostileFileList.Regular).EndPart().SendAsync(ct);
            await s.DrainAsync(ct);
        });
        RsyncException e = await _pull.ExpectFailureAsync(daemon, options: s_options);
        Assert.Equal("ABORTING due to invalid path from sender: sub/x", e.Message);
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
    }
}
