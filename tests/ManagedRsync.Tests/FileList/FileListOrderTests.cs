using System.Text;
using ManagedRsync.FileList;

namespace ManagedRsync.Tests.FileList;

/// <summary>
/// <see cref="FileListOrder.Compare"/> starts its component walk after the shared leading directories; it must order
/// every pair (names with empty components and trailing slashes included) as f_name_cmp's order over the whole names
/// does, written here as plainly as it can be (WholeWalk), not as a copy of the fast walk.
/// </summary>
public class FileListOrderTests
{
    [Fact]
    public void SkippingSharedDirectoriesOrdersAsTheWholeWalk()
    {
        var random = new Random(1616);
        // A small alphabet so that shared prefixes, prefixes of components and '/' against lower bytes are common.
        byte[] alphabet = "ab./-0"u8.ToArray();
        for (int n = 0; n < 200_000; n++)
        {
            byte[] a = RandomName(random, alphabet);
            byte[] b = random.Next(3) == 0 ? a.Take(random.Next(a.Length + 1)).Concat(RandomName(random, alphabet)).ToArray() : RandomName(random, alphabet);
            bool aDir = random.Next(2) == 0, bDir = random.Next(2) == 0;
            int expected = WholeWalk(a, aDir, b, bDir);
            Assert.True(expected == FileListOrder.Compare(a, aDir, b, bDir, 31),
                $"{Encoding.UTF8.GetString(a)} ({aDir}) vs {Encoding.UTF8.GetString(b)} ({bDir}): expected {expected}");
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(28)]
    public void SiblingsOrderAsTheirWholeNames(int protocol)
    {
        var random = new Random(1617);
        // '-' and '.' sort below '/', '0' and 'a' above: a directory's implied '/' against the next byte both ways.
        byte[] alphabet = [.. "ab.-0"u8, 0xFF];
        byte[] directory = "p000/d00/"u8.ToArray();
        for (int n = 0; n < 200_000; n++)
        {
            byte[] a = RandomName(random, alphabet, minimum: 1);
            byte[] b = random.Next(3) == 0 ? [.. a.Take(random.Next(a.Length + 1)), .. RandomName(random, alphabet, minimum: 1)] : RandomName(random, alphabet, minimum: 1);
            bool aDir = random.Next(2) == 0, bDir = random.Next(2) == 0;
            int expected = FileListOrder.Compare([.. directory, .. a], aDir, [.. directory, .. b], bDir, protocol);
            Assert.True(expected == FileListOrder.CompareSiblings(a, aDir, b, bDir, protocol),
                $"{Encoding.Latin1.GetString(a)} ({aDir}) vs {Encoding.Latin1.GetString(b)} ({bDir}): expected {expected}");
            var x = new FileEntry { Name = [.. directory, .. a], Mode = aDir ? FileEntry.S_IFDIR : FileEntry.S_IFREG };
            var y = new FileEntry { Name = [.. directory, .. b], Mode = bDir ? FileEntry.S_IFDIR : FileEntry.S_IFREG };
            Assert.Equal(new FileNameOrder(protocol).Compare(x, y), new SiblingNameOrder(directory.Length, protocol).Compare(x, y));
        }
    }

    [Fact]
    public void ADirectorysEntriesSortAsTheWholeList()
    {
        var random = new Random(1618);
        byte[] alphabet = "ab.-0"u8.ToArray();
        for (int round = 0; round < 200; round++)
        {
            var entries = Enumerable.Range(0, random.Next(1, 300))
                .Select(_ => RandomName(random, alphabet, minimum: 1))
                .Distinct(new NameBytes())
                .Select(leaf => new FileEntry { Name = [.. "top/sub/"u8, .. leaf], Mode = random.Next(3) == 0 ? FileEntry.S_IFDIR : FileEntry.S_IFREG })
                .ToList();
            var whole = entries.ToList();
            whole.Sort(new FileNameOrder(31));
            var siblings = entries.ToArray();
            siblings.AsSpan().Sort(new SiblingNameOrder("top/sub/".Length, 31));
            Assert.Equal(whole, siblings);
        }
    }

    private sealed class NameBytes : IEqualityComparer<byte[]>
    {
        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] obj) => Convert.ToHexString(obj).GetHashCode(StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p000/d00/f0001", false, "p000/d00/f0002", false, -1)]
    [InlineData("p000/d00/f0001", false, "p000/d00/d", true, -1)]
    [InlineData("p000/d00/x", true, "p000/d00/x/a", false, -1)]
    [InlineData("p000/d00/x.y", true, "p000/d00/x", true, -1)]
    [InlineData("p000/d00/x", false, "p000/d00/x", false, 0)]
    [InlineData("p000/d01", true, "p000/d00/f", false, 1)]
    public void NamesOfOneDirectory(string a, bool aDir, string b, bool bDir, int expected)
    {
        Assert.Equal(expected, FileListOrder.Compare(Encoding.UTF8.GetBytes(a), aDir, Encoding.UTF8.GetBytes(b), bDir, 31));
        Assert.Equal(-expected, FileListOrder.Compare(Encoding.UTF8.GetBytes(b), bDir, Encoding.UTF8.GetBytes(a), aDir, 31));
    }

    private static byte[] RandomName(Random random, byte[] alphabet, int minimum = 0)
    {
        var name = new byte[random.Next(minimum, 9)];
        for (int i = 0; i < name.Length; i++)
            name[i] = alphabet[random.Next(alphabet.Length)];
        return name;
    }

    // flist.c: f_name_cmp's order, defined over whole names as plainly as it can be (independent of the walk in
    // FileListOrder): a name is a list of components, each a path (a directory: every component but a file's last),
    // which compares as its bytes with '/' after them, or an item (a file's last component); the lists compare
    // element by element, an item before a path, then by bytes, and a list that runs out first sorts first. The
    // transfer root "." (a directory) is the empty list: it sorts before every other name.
    private static int WholeWalk(byte[] a, bool aIsDirectory, byte[] b, bool bIsDirectory)
    {
        var x = Components(a, aIsDirectory);
        var y = Components(b, bIsDirectory);
        for (int i = 0; i < x.Count && i < y.Count; i++)
        {
            if (x[i].IsPath != y[i].IsPath)
                return x[i].IsPath ? 1 : -1;
            int diff = x[i].Bytes.AsSpan().SequenceCompareTo(y[i].Bytes);
            if (diff != 0)
                return Math.Sign(diff);
        }
        return x.Count.CompareTo(y.Count);
    }

    private static List<(bool IsPath, byte[] Bytes)> Components(byte[] name, bool isDirectory)
    {
        if (isDirectory && name is [(byte)'.'])
            return [];
        var components = new List<(bool IsPath, byte[] Bytes)>();
        int start = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i < name.Length && name[i] != '/')
                continue;
            bool isPath = i < name.Length || isDirectory;
            components.Add((isPath, isPath ? [.. name[start..i], (byte)'/'] : name[start..i]));
            start = i + 1;
        }
        return components;
    }
}
