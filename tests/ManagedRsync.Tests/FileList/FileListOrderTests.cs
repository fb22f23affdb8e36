using System.Text;
using ManagedRsync.FileList;

namespace ManagedRsync.Tests.FileList;

/// <summary>
/// <see cref="FileListOrder.Compare"/> starts its component walk after the shared leading directories; it must order
/// every pair (names with empty components and trailing slashes included) as the plain walk from the start does.
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

    // flist.c: f_name_cmp as the walk from the first component (the form before the shared directories were skipped).
    private static int WholeWalk(ReadOnlySpan<byte> a, bool aIsDirectory, ReadOnlySpan<byte> b, bool bIsDirectory)
    {
        bool aRoot = aIsDirectory && a is [(byte)'.'], bRoot = bIsDirectory && b is [(byte)'.'];
        if (aRoot)
            return bRoot ? 0 : -1;
        if (bRoot)
            return 1;
        while (true)
        {
            int aSlash = a.IndexOf((byte)'/');
            int bSlash = b.IndexOf((byte)'/');
            bool aPath = aSlash >= 0 || aIsDirectory;
            bool bPath = bSlash >= 0 || bIsDirectory;
            if (aPath != bPath)
                return aPath ? 1 : -1;
            var aComponent = aSlash >= 0 ? a[..aSlash] : a;
            var bComponent = bSlash >= 0 ? b[..bSlash] : b;
            int common = Math.Min(aComponent.Length, bComponent.Length);
            int diff = aComponent[..common].SequenceCompareTo(bComponent[..common]);
            if (diff != 0)
                return Math.Sign(diff);
            if (aComponent.Length != bComponent.Length)
            {
                if (aComponent.Length < bComponent.Length)
                    return aPath ? Math.Sign('/' - bComponent[common]) : -1;
                return bPath ? Math.Sign(aComponent[common] - '/') : 1;
            }
            bool aLast = aSlash < 0;
            bool bLast = bSlash < 0;
            if (aLast || bLast)
                return aLast == bLast ? 0 : (aLast ? -1 : 1);
            a = a[(aSlash + 1)..];
            b = b[(bSlash + 1)..];
        }
    }
}
