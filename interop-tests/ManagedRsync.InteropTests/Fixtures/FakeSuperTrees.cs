using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.Platform;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// A source tree for fake super (--fake-super, "fake super = yes"; xattrs.c: set_stat_xattr): files of varied modes
/// and owners, symlinks, a FIFO, devices (as root) and hard links; and each entry's user.rsync.%stat value as text.
/// </summary>
internal static class FakeSuperTrees
{
    public static readonly DateTime Stamp = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public static bool IsRoot => Environment.UserName == "root";

    public static string Write(string src)
    {
        Directory.CreateDirectory(Path.Combine(src, "sub", "deep"));
        (string Name, string Mode)[] files =
            [("plain", "644"), ("setuid", "4755"), ("private", "600"), ("sub/setgid", "2750"), ("sub/deep/open", "666"), ("sub/none", "0")];
        foreach ((string name, string mode) in files)
        {
            string path = Path.Combine(src, name);
            File.WriteAllText(path, "content of " + name);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(mode, 8));
            File.SetLastWriteTimeUtc(path, Stamp);
        }
        File.CreateSymbolicLink(Path.Combine(src, "rel-link"), "sub/setgid");
        // (An absolute target would be sanitized by an unchrooted module, and not come back as it was.)
        File.CreateSymbolicLink(Path.Combine(src, "sub", "up-link"), "../plain");
        File.CreateSymbolicLink(Path.Combine(src, "dangling"), "no/such/thing");
        Run("mkfifo", Path.Combine(src, "sub", "fifo"));
        File.WriteAllText(Path.Combine(src, "sub", "deep", "linked"), "one inode");
        LocalSource.Run("ln", Path.Combine(src, "sub", "deep", "linked"), Path.Combine(src, "hard-twin"));
        if (IsRoot)
        {
            Run("mknod", Path.Combine(src, "sub", "null"), "c", "1", "3");
            Run("mknod", Path.Combine(src, "blockdev"), "b", "7", "200");
            Run("chown", "-h", "1234:5678", Path.Combine(src, "plain"), Path.Combine(src, "rel-link"));
            Run("chown", "4321:0", Path.Combine(src, "sub", "deep"));
        }
        // Every entry made here just now gets the stamp too: a receiver (stock's and so ours, rsync.c set_file_attrs
        // without ATTRS_SET_NANO) leaves the time of a device, FIFO or symlink it has just made when it equals the
        // sender's to the second, so a tree pushed and pulled back within the second it was made kept creation
        // times by the clock (a CI run: the pulled-back blockdev's mtime .746 s where the source said .150 s).
        string[] madeNow = IsRoot
            ? ["rel-link", "sub/up-link", "dangling", "sub/fifo", "sub/null", "blockdev"]
            : ["rel-link", "sub/up-link", "dangling", "sub/fifo"];
        foreach (string name in madeNow)
            Run("touch", "-h", "-d", "2024-01-02 03:04:05Z", Path.Combine(src, name));
        File.SetUnixFileMode(Path.Combine(src, "sub"), (UnixFileMode)Convert.ToInt32("1777", 8));
        // The directories last, once nothing more is made in them: "sub" kept the clock's time of its last entry, and
        // a directory pulled back within that second kept its own (a CI run: .850 s where the source said .233 s).
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "sub", "deep"), Stamp);
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "sub"), Stamp);
        return src;
    }

    private static void Run(string tool, params string[] args)
    {
        ProcessResult r = ToolProcess.RunAsync(tool, args).GetAwaiter().GetResult();
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>Sets a regular file's user.rsync.%stat value to <paramref name="text"/>, as it is.</summary>
    public static unsafe void SetStatXattr(string path, string text)
    {
        int fd = Interop.OpenAt(Interop.AT_FDCWD, path, Interop.O_RDONLY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        Assert.True(fd >= 0, $"open {path}");
        using var handle = new DescriptorHandle(fd);
        byte[] value = Encoding.ASCII.GetBytes(text);
        fixed (byte* p = value)
            Assert.Equal(0, Interop.FSetXattr(handle.Fd, FakeStat.XattrName, p, (nuint)value.Length, 0));
    }

    /// <summary>Each entry's user.rsync.%stat value as stored ("-" for none; a symlink, device or special cannot hold one).</summary>
    public static string StatXattrs(string root)
    {
        var lines = new List<string>();
        Walk(root, "");
        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);

        void Walk(string dir, string prefix)
        {
            lines.Add($"{(prefix.Length == 0 ? "." : prefix)} {Value(dir, directory: true)}");
            foreach (string p in Directory.GetFileSystemEntries(dir))
            {
                string name = prefix.Length == 0 ? Path.GetFileName(p) : prefix + "/" + Path.GetFileName(p);
                Assert.Equal(0, NativeStat.TryLstat(p, out NativeStat.Info st));
                int type = st.Mode & FileEntry.S_IFMT;
                if (type == FileEntry.S_IFDIR)
                    Walk(p, name);
                else
                    lines.Add($"{name} {(type == FileEntry.S_IFREG ? Value(p, directory: false) : "(" + Convert.ToString(type, 8) + ")")}");
            }
        }

        static string Value(string path, bool directory)
        {
            int fd = Interop.OpenAt(Interop.AT_FDCWD, path,
                Interop.O_RDONLY | Interop.O_NOFOLLOW | Interop.O_NONBLOCK | Interop.O_CLOEXEC | (directory ? Interop.O_DIRECTORY : 0), 0);
            Assert.True(fd >= 0, $"open {path}");
            using var handle = new DescriptorHandle(fd);
            int errno = FakeStat.ReadValue(handle.Fd, out byte[] value);
            return errno == Interop.ENODATA ? "-" : errno != 0 ? $"errno {errno}" : "\"" + Encoding.Latin1.GetString(value) + "\"";
        }
    }
}
