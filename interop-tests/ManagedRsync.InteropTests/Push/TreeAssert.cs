using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.InteropTests.Push;

/// <summary>Compares two trees the way a user would check a backup: names, types, content, mode, mtime, links.</summary>
internal static class TreeAssert
{
    /// <remarks>
    /// Directory mtimes are not compared by default: stock rsync 3.5.0 itself leaves a directory's mtime at the time
    /// of the transfer in roughly half the runs of a fresh copy (reproduced with stock client to stock daemon and
    /// with a local stock copy), so a check would test rsync's receiver, not our sender.
    /// </remarks>
    /// <param name="quickCheckNanoseconds">
    /// With <paramref name="nanoseconds"/>: a regular file whose content is equal and whose time is in the same second
    /// may differ in nanoseconds. A stock receiver's quick check compares whole seconds (util1.c same_time with
    /// modify_window 0), so once a copy caught a file between its creation and its write (a directory synced as a
    /// whole while a file in it was being written), a later push of the finished file finds it up to date and keeps
    /// the first time (rsync.c same_mtime). A replicator fed by events converges to that, as the seed's rsync would.
    /// </param>
    public static void Equal(string expected, string actual, bool nanoseconds, bool hardLinks = true, bool directoryTimes = false,
        bool quickCheckNanoseconds = false)
    {
        var want = Scan(expected);
        var got = Scan(actual);
        Assert.Equal(want.Keys.Order(StringComparer.Ordinal), got.Keys.Order(StringComparer.Ordinal));
        foreach (var (rel, w) in want)
        {
            var g = got[rel];
            string what = $"'{rel}'";
            Assert.True(w.Type == g.Type, $"{what}: type {w.Type:x} vs {g.Type:x}");
            if (w.Type != FileEntry.S_IFLNK)
                Assert.True(w.Mode == g.Mode, $"{what}: mode {Convert.ToString(w.Mode, 8)} vs {Convert.ToString(g.Mode, 8)}");
            if (w.Type == FileEntry.S_IFLNK)
            {
                Assert.Equal(w.Link, g.Link);
                continue;
            }
            if (w.Type == FileEntry.S_IFDIR && !directoryTimes)
                continue;
            Assert.True(w.MTime == g.MTime, $"{what}: mtime {w.MTime}.{w.Nsec} vs {g.MTime}.{g.Nsec}");
            if (w.Type == FileEntry.S_IFREG)
                Assert.True(File.ReadAllBytes(Path.Combine(expected, rel)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, rel))), $"{what}: content differs");
            if (nanoseconds && !(quickCheckNanoseconds && w.Type == FileEntry.S_IFREG))
                Assert.True(w.Nsec == g.Nsec, $"{what}: mtime ns {w.Nsec} vs {g.Nsec}");
        }
        if (hardLinks)
        {
            // Files that share an inode in the source share one in the copy.
            foreach (var group in want.Where(p => p.Value.Type == FileEntry.S_IFREG).GroupBy(p => p.Value.Ino).Where(g => g.Count() > 1))
                Assert.Single(group.Select(p => got[p.Key].Ino).Distinct());
        }
    }

    private sealed record Node(int Type, int Mode, long MTime, int Nsec, string? Link, long Ino);

    private static Dictionary<string, Node> Scan(string root)
    {
        var map = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(0, NativeStat.TryLstat(path, out NativeStat.Info st));
            int type = st.Mode & FileEntry.S_IFMT;
            string? link = type == FileEntry.S_IFLNK ? new FileInfo(path).LinkTarget : null;
            map[Path.GetRelativePath(root, path)] = new Node(type, st.Mode & 0xFFF, st.MTime, st.MTimeNsec, link, st.Ino);
        }
        return map;
    }
}
