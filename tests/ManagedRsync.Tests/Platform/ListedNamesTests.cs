using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Platform;

/// <summary>A directory listing's names held as bytes in one buffer, and a stat at the directory by such a name.</summary>
public sealed class ListedNamesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("listednames-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Names_come_back_as_added_with_and_without_their_nul()
    {
        using var names = new ListedNames();
        byte[] latin1 = [(byte)'c', 0xE9];
        names.Add("a"u8);
        names.Add(latin1);
        names.Add([]);
        names.Add("last"u8);

        Assert.Equal(4, names.Count);
        Assert.Equal("a"u8.ToArray(), names[0].ToArray());
        Assert.Equal(latin1, names[1].ToArray());
        Assert.Equal(0, names[2].Length);
        Assert.Equal("last"u8.ToArray(), names[3].ToArray());
        Assert.Equal(new byte[] { (byte)'c', 0xE9, 0 }, names.WithNul(1).ToArray());
        Assert.Equal("last\0"u8.ToArray(), names.WithNul(3).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => names.WithNul(4).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => names.WithNul(-1).Length);
    }

    [Fact]
    public void Many_long_names_grow_both_buffers()
    {
        using var names = new ListedNames();
        var expected = new List<byte[]>();
        for (int i = 0; i < 5000; i++)
        {
            byte[] name = Encoding.ASCII.GetBytes(new string((char)('a' + i % 26), 1 + i % 255) + i);
            expected.Add(name);
            names.Add(name);
        }

        Assert.Equal(expected.Count, names.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], names[i].ToArray());
            Assert.Equal(0, names.WithNul(i)[^1]);
        }
    }

    [Fact]
    public void A_disposed_listing_holds_nothing_and_may_be_disposed_again()
    {
        var names = new ListedNames();
        names.Add("x"u8);
        names.Dispose();
        names.Dispose();
        Assert.Equal(0, names.Count);
    }

    [Fact]
    public void A_listed_name_is_stated_at_its_directory_as_by_its_path()
    {
        File.WriteAllText(Path.Combine(_root, "file"), "12345");
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "sub");
        int fd = RawDirectory.OpenDirectory(Encoding.UTF8.GetBytes(_root), out int errno);
        Assert.True(fd >= 0, $"errno {errno}");
        using var handle = new DescriptorHandle(fd);
        using var names = new ListedNames();
        Assert.Equal(0, RawDirectory.ListOpened(handle.Fd, (name, _) => names.Add(name)));

        Assert.Equal(3, names.Count);
        for (int i = 0; i < names.Count; i++)
        {
            string path = Path.Combine(_root, Encoding.UTF8.GetString(names[i]));
            Assert.Equal(0, NativeStat.TryStatAt(handle.Fd, names.WithNul(i), Interop.AT_SYMLINK_NOFOLLOW, out NativeStat.Info at));
            Assert.Equal(0, NativeStat.TryLstat(path, out NativeStat.Info byPath));
            Assert.Equal(byPath, at);
        }
        Assert.Equal(Interop.ENOENT, NativeStat.TryStatAt(handle.Fd, "gone\0"u8, Interop.AT_SYMLINK_NOFOLLOW, out _));
        Assert.Throws<ArgumentException>(() => NativeStat.TryStatAt(handle.Fd, "file"u8, 0, out _));
    }
}
