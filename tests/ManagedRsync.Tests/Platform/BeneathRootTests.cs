using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Platform;

/// <summary>
/// A daemon module's sender opens beneath the module root only: links inside it are followed when asked, a link out
/// of it (climbing with "..", or absolute, even one naming a place inside) is ELOOP as stock's confined open gives it,
/// and O_NOFOLLOW still refuses a symlink as the last component.
/// </summary>
public sealed class BeneathRootTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-beneath-").FullName;
    private readonly string _module;

    public BeneathRootTests()
    {
        _module = Path.Combine(_dir, "module");
        Directory.CreateDirectory(Path.Combine(_module, "sub"));
        Directory.CreateDirectory(Path.Combine(_module, "targetdir"));
        Directory.CreateDirectory(Path.Combine(_dir, "outside"));
        File.WriteAllText(Path.Combine(_module, "target.txt"), "in");
        File.WriteAllText(Path.Combine(_module, "targetdir", "f"), "in dir");
        File.WriteAllText(Path.Combine(_dir, "outside", "secret"), "out");
        File.CreateSymbolicLink(Path.Combine(_module, "sub", "in_file"), "../target.txt");
        File.CreateSymbolicLink(Path.Combine(_module, "sub", "in_dir"), "../targetdir");
        File.CreateSymbolicLink(Path.Combine(_module, "sub", "esc_file"), "../../outside/secret");
        File.CreateSymbolicLink(Path.Combine(_module, "sub", "esc_dir"), "../../outside");
        File.CreateSymbolicLink(Path.Combine(_module, "sub", "abs_in"), Path.Combine(_module, "target.txt"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("target.txt", false, "in")]
    [InlineData("sub/in_file", false, "in")]
    [InlineData("sub/in_dir/f", false, "in dir")]
    [InlineData("sub/in_dir/f", true, "in dir")]
    public void Follows_links_that_stay_inside(string relative, bool noFollowLeaf, string content)
    {
        using BeneathRoot root = BeneathRoot.Open(_module, "m");
        int fd = root.Open(relative, Interop.O_RDONLY | (noFollowLeaf ? Interop.O_NOFOLLOW : 0), out int errno);
        Assert.True(fd >= 0, $"errno {errno}");
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        byte[] buffer = new byte[64];
        int n = RandomAccess.Read(handle, buffer, 0);
        Assert.Equal(content, System.Text.Encoding.UTF8.GetString(buffer, 0, n));
    }

    [Theory]
    [InlineData("sub/esc_file", false, Interop.ELOOP)]
    [InlineData("sub/esc_dir/secret", false, Interop.ELOOP)]
    [InlineData("sub/abs_in", false, Interop.ELOOP)]
    [InlineData("sub/in_file", true, Interop.ELOOP)]
    [InlineData("sub/missing", false, Interop.ENOENT)]
    public void Refuses_what_leads_out_or_a_leaf_link(string relative, bool noFollowLeaf, int expected)
    {
        using BeneathRoot root = BeneathRoot.Open(_module, "m");
        int fd = root.Open(relative, Interop.O_RDONLY | (noFollowLeaf ? Interop.O_NOFOLLOW : 0), out int errno);
        if (fd >= 0)
            _ = Interop.Close(fd);
        Assert.Equal(-1, fd);
        Assert.Equal(expected, errno);
    }

    [Theory]
    [InlineData("/srv/mod", "/srv/mod/a/b", "a/b")]
    [InlineData("/srv/mod/", "/srv/mod/a/", "a")]
    [InlineData("/srv/mod", "/srv/mod", ".")]
    [InlineData("/srv/mod", "/srv/modx/a", null)]
    [InlineData("/", "/etc/x", "etc/x")]
    public void Relative_names_only_what_is_under_the_root(string root, string path, string? expected) =>
        Assert.Equal(expected, BeneathRoot.RelativeTo(root, path));

    /// <summary>
    /// A listed entry's lstat and link target are read at its directory opened beneath the root: a parent that has
    /// become a link out of the module (the raced flip of upstream sender-readlink-atfd, here at rest) gives ELOOP and
    /// no target, never the outside link's; the entry where it belongs gives its own.
    /// </summary>
    [Fact]
    public void A_link_target_is_read_beneath_the_root_never_through_a_parent_that_leads_out()
    {
        File.CreateSymbolicLink(Path.Combine(_module, "targetdir", "link"), "inside-target");
        File.CreateSymbolicLink(Path.Combine(_dir, "outside", "link"), "OUTSIDE-LINK-TARGET");
        File.CreateSymbolicLink(Path.Combine(_module, "flipped"), Path.Combine(_dir, "outside"));
        using BeneathRoot root = BeneathRoot.Open(_module, "m");

        Assert.Equal(0, root.LinkStat("targetdir/link", follow: false, out NativeStat.Info info, out byte[]? target));
        Assert.Equal((int)Interop.S_IFLNK, info.Mode & (int)Interop.S_IFMT);
        Assert.Equal("inside-target"u8.ToArray(), target);

        Assert.Equal(Interop.ELOOP, root.LinkStat("flipped/link", follow: false, out _, out byte[]? leaked));
        Assert.Null(leaked);
        Assert.Equal(Interop.ELOOP, root.LinkStat("sub/esc_dir/secret", follow: false, out _, out _));
        Assert.Equal(Interop.ELOOP, root.LinkStat("sub/esc_file", follow: true, out _, out _));
        // A link inside the module is itself (lstat), and followed only when asked.
        Assert.Equal(0, root.LinkStat("sub/in_dir", follow: true, out NativeStat.Info followed, out _));
        Assert.Equal((int)Interop.S_IFDIR, followed.Mode & (int)Interop.S_IFMT);
    }

    /// <summary>
    /// A receiving daemon's absolute --partial-dir is taken where the module's links lead (ResolveLinks): the real
    /// directories of what exists, the rest as named; a link out of the root, or a file in the way, gives nothing.
    /// </summary>
    [Theory]
    [InlineData("sub/in_dir", "targetdir")]
    [InlineData("sub/in_dir/new/deeper", "targetdir/new/deeper")]
    [InlineData("not/there", "not/there")]
    [InlineData(".", ".")]
    [InlineData("sub/esc_dir", null)]
    [InlineData("sub/esc_dir/x", null)]
    [InlineData("target.txt/x", null)]
    public void Resolves_a_directory_through_the_links_inside(string relative, string? expected) =>
        Assert.Equal(expected, BeneathRoot.ResolveLinks(_module, relative));

    /// <summary>
    /// --remove-source-files on a daemon's sender removes at the directory opened beneath the root: through a parent
    /// that has become a link out of the module it is ELOOP and the outside file stays (upstream
    /// sender-remove-source-secure, here at rest).
    /// </summary>
    [Fact]
    public void A_file_is_removed_beneath_the_root_never_through_a_parent_that_leads_out()
    {
        File.CreateSymbolicLink(Path.Combine(_module, "flipped"), Path.Combine(_dir, "outside"));
        File.WriteAllText(Path.Combine(_module, "targetdir", "gone"), "x");
        using BeneathRoot root = BeneathRoot.Open(_module, "m");
        Assert.Equal(Interop.ELOOP, root.Unlink("flipped/secret"));
        Assert.True(File.Exists(Path.Combine(_dir, "outside", "secret")));
        Assert.Equal(0, root.Unlink("targetdir/gone"));
        Assert.False(File.Exists(Path.Combine(_module, "targetdir", "gone")));
        Assert.Equal(Interop.ENOENT, root.Unlink("targetdir/gone"));
    }

    // util1.c: full_fname — the server's working directory below the module, then the name: nothing from the module's
    // own directory unless chrooted into the module ("/"), "/sub/" from a subdirectory either way.
    [Theory]
    [InlineData(false, "nofile", ".", "\"nofile\" (in m)")]
    [InlineData(true, "nofile", ".", "\"/nofile\" (in m)")]
    [InlineData(false, "sub/nofile", ".", "\"sub/nofile\" (in m)")]
    [InlineData(true, "sub/nofile", ".", "\"/sub/nofile\" (in m)")]
    [InlineData(false, "sub/nofile", "sub", "\"/sub/nofile\" (in m)")]
    [InlineData(true, "sub/nofile", "sub", "\"/sub/nofile\" (in m)")]
    [InlineData(false, "sub/.", "sub", "\"/sub/.\" (in m)")]
    [InlineData(false, ".", ".", "\".\" (in m)")]
    [InlineData(true, ".", ".", "\"/.\" (in m)")]
    public void Names_a_file_as_full_fname_does(bool slashAtTop, string relative, string workingDirectory, string expected)
    {
        using BeneathRoot root = BeneathRoot.Open(_module, "m", slashAtTop);
        Assert.Equal(expected, root.Quote(relative, workingDirectory));
    }

    [Theory]
    [InlineData("sub/x", "x", "sub")]
    [InlineData("x", "x", ".")]
    [InlineData("sub/x", "sub/x", ".")]
    [InlineData("a/sub/x", "sub/x", "a")]
    [InlineData("sub", ".", "sub")]
    public void The_working_directory_is_what_comes_before_the_listed_name(string relative, string listed, string expected) =>
        Assert.Equal(expected, BeneathRoot.WorkingDirectoryOf(relative, listed));

    // clientserver.c: rsync_module — module_dirlen 0 only when chrooted into the module itself or for the path "/".
    [Theory]
    [InlineData("/srv/mod", true, true)]
    [InlineData("/srv/mod", false, false)]
    [InlineData("/srv/./mod", true, false)]
    [InlineData("/srv/./", true, true)]
    [InlineData("/", false, true)]
    public void A_module_names_from_a_slash_only_when_module_dirlen_is_0(string path, bool chrooted, bool expected) =>
        Assert.Equal(expected, ManagedRsync.DaemonServer.ModuleEntry.SlashAtTop(path, chrooted));
}
