using ManagedRsync.InteropTests.Pull;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// The tree of the incremental-recursion tests (IncrementalPullTests, IncrementalPushTests): enough directories and
/// entries (more than MIN_FILECNT_LOOKAHEAD, rsync.h) that the lists interleave with file data, and a stale copy of it.
/// </summary>
internal static class IncrementalTree
{
    // 10 directories of 3 subdirectories (and a chain 6 deep in the first), 75 files in each, symlinks, an empty
    // directory: about 3,000 entries over 47 directories.
    public static void Create(string root)
    {
        Directory.CreateDirectory(root);
        var time = new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        for (int d = 0; d < 10; d++)
        {
            string top = Path.Combine(root, $"d{d:00}");
            for (int s = 0; s < 3; s++)
            {
                string sub = Path.Combine(top, $"s{s}");
                Directory.CreateDirectory(sub);
                for (int f = 0; f < 75; f++)
                    File.WriteAllText(Path.Combine(sub, $"f{f:000}.txt"), $"{d}/{s}/{f}\n");
                File.CreateSymbolicLink(Path.Combine(sub, "link"), "f000.txt");
            }
            for (int f = 0; f < 75; f++)
                File.WriteAllText(Path.Combine(top, $"g{f:000}.txt"), $"{d}/{f}\n");
        }
        string chain = Path.Combine(root, "d00", "a", "b", "c", "d", "e", "f");
        Directory.CreateDirectory(chain);
        File.WriteAllBytes(Path.Combine(chain, "deep.bin"), PullTree.RandomBytes(300_000, seed: 3));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "top.txt"), "top\n");
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
                     .Where(p => new FileInfo(p).LinkTarget is null).OrderDescending(StringComparer.Ordinal))
            File.SetLastWriteTimeUtc(path, time);
        Directory.SetLastWriteTimeUtc(root, time);
    }

    /// <summary>
    /// Hard-link groups whose members lie in directories that travel in different lists (issue 16, hlink.c:
    /// match_gnums with incremental recursion): a top-level file with members two and three levels down, a member in
    /// the deepest directory, a pair inside one directory, a group of two subdirectories' files; the directories' times
    /// are set back to the tree's.
    /// </summary>
    public static void AddHardLinks(string root)
    {
        void Link(string existing, string link)
        {
            using var ln = System.Diagnostics.Process.Start("ln", [Path.Combine(root, existing), Path.Combine(root, link)])!;
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }
        Link("top.txt", "d03/s1/top-link");
        Link("top.txt", "d09/s2/top-link2");
        Link("d01/g001.txt", "d08/g001-link");
        Link("d01/g001.txt", "d00/a/b/c/d/e/f/g001-deep");
        Link("d09/g000.txt", "d08/hard");
        Link("d02/g002.txt", "d02/g002-b");
        Link("d04/s0/f003.txt", "d05/s2/f003-link");
        var time = new DateTime(2021, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            Directory.SetLastWriteTimeUtc(dir, time);
    }

    /// <summary>
    /// The source a test transfers, <paramref name="root"/>/src (with <see cref="AddHardLinks"/>'s groups for -H), and
    /// when <paramref name="stale"/> its stale copy (<see cref="CreateStaleCopy"/>) in each of
    /// <paramref name="destinations"/>; returns the source's path.
    /// </summary>
    public static string CreateSource(string root, bool hardLinks, bool stale, params string[] destinations)
    {
        string source = Path.Combine(root, "src");
        Create(source);
        if (hardLinks)
            AddHardLinks(source);
        if (stale)
        {
            string template = Path.Combine(root, "template");
            CreateStaleCopy(source, template);
            foreach (string destination in destinations)
                StockOutput.CopyTree(template, destination);
        }
        return source;
    }

    // The source with a changed file of the same size (new time), a changed big file (delta), missing files and a
    // missing directory, extra files and an extra directory, a file where a directory is and a directory where a
    // file is.
    public static void CreateStaleCopy(string source, string template)
    {
        StockOutput.CopyTree(source, template);
        File.WriteAllText(Path.Combine(template, "d01", "s0", "f001.txt"), "1/0/X\n");
        byte[] deep = File.ReadAllBytes(Path.Combine(template, "d00", "a", "b", "c", "d", "e", "f", "deep.bin"));
        deep[150_000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(template, "d00", "a", "b", "c", "d", "e", "f", "deep.bin"), deep);
        File.Delete(Path.Combine(template, "d02", "g010.txt"));
        Directory.Delete(Path.Combine(template, "d03", "s2"), recursive: true);
        File.WriteAllText(Path.Combine(template, "d04", "s1", "extra.txt"), "extra\n");
        Directory.CreateDirectory(Path.Combine(template, "d05", "extra-dir", "inner"));
        File.WriteAllText(Path.Combine(template, "d05", "extra-dir", "inner", "x"), "x\n");
        Directory.Delete(Path.Combine(template, "d06", "s1"), recursive: true);
        File.WriteAllText(Path.Combine(template, "d06", "s1"), "a file where a directory is\n");
        File.Delete(Path.Combine(template, "d07", "g005.txt"));
        Directory.CreateDirectory(Path.Combine(template, "d07", "g005.txt"));
    }

    // The --stats lines that count entries and bytes of files (not the wire, whose framing differs).
    public static List<string> Counts(string stdout) =>
        [.. stdout.Split('\n').Where(l => l.StartsWith("Number of", StringComparison.Ordinal)
            || l.StartsWith("Total file size", StringComparison.Ordinal)
            || l.StartsWith("Total transferred file size", StringComparison.Ordinal))];

    /// <summary>
    /// Two outputs hold the same sequences of lines, each in its own fixed order, whose interleaving depends on timing:
    /// the lines each of <paramref name="kinds"/> picks (the first that matches), and all the others. A pushing
    /// client's "deleting" lines come from the daemon's generator as MSG_DELETED, ahead of its data (io.c flushes the
    /// msg buffer first); a pulling client's generator and receiver print through one pipe; so stock's own runs
    /// interleave them as they happen to arrive.
    /// </summary>
    public static void AssertSameSequences(string expected, string actual, params Func<string, bool>[] kinds)
    {
        List<string> want = [.. expected.Split('\n')], got = [.. actual.Split('\n')];
        int Kind(string line) => Array.FindIndex(kinds, k => k(line));
        for (int k = -1; k < kinds.Length; k++)
            Assert.Equal(want.Where(l => Kind(l) == k), got.Where(l => Kind(l) == k));
    }

    /// <summary>
    /// With -H and incremental recursion: the same linked members' lines (<see cref="IsHardLinkLine"/>) as a set (when
    /// each comes depends on when the generator reads that its leader is in place: in stock's own runs too), the
    /// deletions in their order, and all other lines in theirs.
    /// </summary>
    public static void AssertSameWithLinkLinesApart(string expected, string actual)
    {
        static IEnumerable<string> Links(string text) => text.Split('\n').Where(IsHardLinkLine).Order(StringComparer.Ordinal);
        Assert.Equal(Links(expected), Links(actual));
        static string Rest(string text) => string.Join('\n', text.Split('\n').Where(l => !IsHardLinkLine(l)));
        AssertSameSequences(Rest(expected), Rest(actual), IsDeletion);
    }

    /// <summary>
    /// A hard-link member's line, "NAME => LEADER" (with -i "hf+++++++++ NAME => LEADER"): printed when the generator
    /// finishes the group (hlink.c: finish_hard_link), i.e. when it reads that the leader is in place, which with
    /// incremental recursion depends on when stock's generator reads its receiver's pipe.
    /// </summary>
    public static bool IsHardLinkLine(string line) => line.Contains(" => ", StringComparison.Ordinal);

    /// <summary>A deletion line, "deleting NAME" or with -i "*deleting   NAME".</summary>
    public static bool IsDeletion(string line) =>
        line.StartsWith("deleting ", StringComparison.Ordinal) || line.StartsWith("*deleting ", StringComparison.Ordinal);
}
