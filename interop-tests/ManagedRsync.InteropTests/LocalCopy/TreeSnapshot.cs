using System.Security.Cryptography;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// A tree as text, one line per entry in byte order of the names, so that two copies compare with one Assert.Equal
/// and a failure shows the lines that differ: the name's bytes (non-printable ones hex-escaped), type, permission bits,
/// owner, mtime to the nanosecond, a regular file's size and SHA-256, a symlink's target bytes, a device's numbers, and
/// the hard-link group (the first name of the files sharing an inode in the tree). Names are listed through getdents64
/// and stat by their bytes, so a name that is not UTF-8 is compared as it is.
/// </summary>
internal static class TreeSnapshot
{
    /// <param name="times">Include mtimes (rsync -t).</param>
    /// <param name="rootTimes">Include the root directory's own mtime.</param>
    /// <param name="symlinkTimes">Include symlinks' own mtimes.</param>
    /// <param name="directoryTimes">Include directories' mtimes (the root's is <paramref name="rootTimes"/>).</param>
    public static string Of(string root, bool times = true, bool rootTimes = true, bool symlinkTimes = true, bool directoryTimes = true)
    {
        if (!Directory.Exists(root))
            return "(absent)";
        var entries = new List<(byte[] Name, NativeStat.Info Stat)>();
        // The root itself: SRC/ DST/ gives DST the source directory's mode and mtime.
        Assert.Equal(0, NativeStat.TryLstat(root, out NativeStat.Info top));
        entries.Add(("."u8.ToArray(), top));
        Walk(Encoding.UTF8.GetBytes(root), [], entries);
        entries.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        // Hard-link groups by inode, named by their first member, for files with more than one link.
        var groups = new Dictionary<long, string>();
        foreach (var (name, st) in entries)
        {
            if ((st.Mode & FileEntry.S_IFMT) != FileEntry.S_IFDIR && st.Nlink > 1)
                groups.TryAdd(st.Ino, Show(name));
        }
        var text = new StringBuilder();
        foreach (var (name, st) in entries)
        {
            int type = st.Mode & FileEntry.S_IFMT;
            string full = FileNameEncoding.Decode([.. Encoding.UTF8.GetBytes(root), (byte)'/', .. name]);
            text.Append(Show(name)).Append(' ').Append(TypeName(type)).Append(' ').Append(Convert.ToString(st.Mode & 0xFFF, 8))
                .Append(" uid=").Append(st.Uid).Append(" gid=").Append(st.Gid);
            bool isRoot = name is [(byte)'.'];
            if (times && (isRoot ? rootTimes : (symlinkTimes || type != FileEntry.S_IFLNK) && (directoryTimes || type != FileEntry.S_IFDIR)))
                text.Append(" mtime=").Append(st.MTime).Append('.').Append(st.MTimeNsec.ToString("D9"));
            switch (type)
            {
                case FileEntry.S_IFREG:
                    using (var stream = LocalFile.OpenRead(full, new FileStreamOptions()))
                        text.Append(" size=").Append(st.Size).Append(" sha256=").Append(Convert.ToHexString(SHA256.HashData(stream))[..16]);
                    break;
                case FileEntry.S_IFLNK:
                    text.Append(" -> ").Append(Show(LocalFile.ReadLink(full) ?? []));
                    break;
                case FileEntry.S_IFCHR or FileEntry.S_IFBLK:
                    text.Append(" rdev=").Append(st.RdevMajor).Append(',').Append(st.RdevMinor);
                    break;
            }
            if (groups.TryGetValue(st.Ino, out string? first))
                text.Append(" links=").Append(first);
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Names hex-escaped where not printable ASCII, so the text shows every byte.</summary>
    public static string Show(ReadOnlySpan<byte> bytes)
    {
        var s = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
            s.Append(b is >= 0x20 and < 0x7f and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        return s.ToString();
    }

    private static void Walk(byte[] root, byte[] relative, List<(byte[], NativeStat.Info)> entries)
    {
        var children = new List<byte[]>();
        byte[] dir = relative.Length == 0 ? root : [.. root, (byte)'/', .. relative];
        int errno = RawDirectory.List(dir, (name, _) => children.Add(name.ToArray()));
        Assert.True(errno == 0, $"cannot list {Show(dir)}: errno {errno}");
        foreach (byte[] name in children)
        {
            byte[] rel = relative.Length == 0 ? name : [.. relative, (byte)'/', .. name];
            Assert.Equal(0, NativeStat.TryLstat(FileNameEncoding.Decode([.. root, (byte)'/', .. rel]), out NativeStat.Info st));
            entries.Add((rel, st));
            if ((st.Mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR)
                Walk(root, rel, entries);
        }
    }

    private static string TypeName(int type) => type switch
    {
        FileEntry.S_IFREG => "file",
        FileEntry.S_IFDIR => "dir",
        FileEntry.S_IFLNK => "link",
        FileEntry.S_IFCHR => "chr",
        FileEntry.S_IFBLK => "blk",
        FileEntry.S_IFIFO => "fifo",
        FileEntry.S_IFSOCK => "sock",
        _ => "type" + Convert.ToString(type, 8),
    };
}
