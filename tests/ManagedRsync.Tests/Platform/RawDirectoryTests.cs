using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Platform;

/// <summary>The one directory listing (getdents64): exact name bytes, no symlink followed, a descriptor listed again from its start.</summary>
public sealed class RawDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawdir-").FullName;

    private string? _notUtf8;

    public void Dispose()
    {
        // .NET names files by UTF-8 strings and cannot remove one whose name is not UTF-8: unlink it by its bytes.
        if (_notUtf8 is not null)
            _ = Interop.UnlinkAt(Interop.AT_FDCWD, _notUtf8, 0);
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Lists_names_as_their_bytes_with_their_types()
    {
        byte[] latin1 = [(byte)'c', 0xE9, (byte)'.', (byte)'t', (byte)'x', (byte)'t']; // "cé.txt" in Latin-1: not UTF-8
        _notUtf8 = FileNameEncoding.Decode([.. Encoding.UTF8.GetBytes(_root + "/"), .. latin1]);
        int created = Interop.OpenAt(Interop.AT_FDCWD, _notUtf8, Interop.O_CREAT | Interop.O_WRONLY | Interop.O_CLOEXEC, 0x1A4);
        Assert.True(created >= 0);
        new DescriptorHandle(created).Dispose();
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        File.CreateSymbolicLink(Path.Combine(_root, "link"), "sub");

        var seen = new Dictionary<string, EntryType>();
        Assert.Equal(0, RawDirectory.List(Encoding.UTF8.GetBytes(_root), (name, type) => seen.Add(Convert.ToHexString(name), type)));

        Assert.Equal(3, seen.Count);
        Assert.Equal(EntryType.File, seen[Convert.ToHexString(latin1)]);
        Assert.Equal(EntryType.Directory, seen[Convert.ToHexString("sub"u8)]);
        Assert.Equal(EntryType.Symlink, seen[Convert.ToHexString("link"u8)]);
    }

    [Fact]
    public void A_descriptor_is_listed_from_its_start_every_time()
    {
        foreach (string name in new[] { "a", "b", "c" })
            File.WriteAllText(Path.Combine(_root, name), name);
        int fd = OpenDirectory(_root);
        using var handle = new DescriptorHandle(fd);

        var first = new List<string>();
        var second = new List<string>();
        Assert.Equal(0, RawDirectory.ListFromStart(handle.Fd, (name, _) => first.Add(Encoding.UTF8.GetString(name))));
        Assert.Equal(0, RawDirectory.ListFromStart(handle.Fd, (name, _) => second.Add(Encoding.UTF8.GetString(name))));

        Assert.Equal(["a", "b", "c"], first.Order());
        Assert.Equal(first, second);
    }

    [Fact]
    public void A_missing_directory_or_a_symlink_to_one_is_an_errno()
    {
        Directory.CreateDirectory(Path.Combine(_root, "real"));
        File.CreateSymbolicLink(Path.Combine(_root, "alias"), "real");

        Assert.Equal(Interop.ENOENT, RawDirectory.List(Encoding.UTF8.GetBytes(Path.Combine(_root, "gone")), (_, _) => { }));
        Assert.Contains(RawDirectory.List(Encoding.UTF8.GetBytes(Path.Combine(_root, "alias")), (_, _) => { }),
            new[] { Interop.ENOTDIR, Interop.ELOOP });
    }

    private static unsafe int OpenDirectory(string path)
    {
        byte[] z = Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = z)
        {
            int fd = Interop.Open(p, Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
            Assert.True(fd >= 0, $"open {path}");
            return fd;
        }
    }
}
