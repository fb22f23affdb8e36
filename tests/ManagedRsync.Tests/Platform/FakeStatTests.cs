using System.Text;
using ManagedRsync.Destination;
using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Platform;

/// <summary>
/// The user.rsync.%stat value a fake-super side keeps (xattrs.c: set_stat_xattr writes "%o %u,%u %u:%u",
/// get_stat_xattr reads it with sscanf("%o %d,%d %d:%d")), and a fake-super destination's entries on this machine's
/// file system: symlinks and devices as regular files, lstat folding the xattr back in, the real mode with full owner
/// access.
/// </summary>
public sealed class FakeStatTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-fakestat-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(0x81A4u, 0u, 0u, 1000u, 1000u, "100644 0,0 1000:1000")]
    [InlineData(0xA1FFu, 0u, 0u, 0u, 0u, "120777 0,0 0:0")]
    [InlineData(0x21A4u, 1u, 3u, 0u, 5u, "20644 1,3 0:5")]
    [InlineData(0x89EDu, 0u, 0u, 4294967295u, 1u, "104755 0,0 4294967295:1")]
    public void Formats_as_stock_writes_it_and_parses_back(uint mode, uint major, uint minor, uint uid, uint gid, string text)
    {
        var stat = new FakeStat(mode, major, minor, uid, gid);
        Assert.Equal(text, stat.Format());
        Assert.True(FakeStat.TryParse(Encoding.ASCII.GetBytes(text), out FakeStat back));
        Assert.Equal(stat, back);
    }

    [Theory]
    [InlineData("  100644   0,0\t7:8 trailing", 0x81A4u, 7u, 8u)] // white space before each number, what follows ignored
    [InlineData("100644 0,0 -1:-2", 0x81A4u, 4294967295u, 4294967294u)] // %d takes a sign; stored as uid_t
    [InlineData("+100644 0,0 1:2", 0x81A4u, 1u, 2u)]
    public void Parses_what_sscanf_accepts(string text, uint mode, uint uid, uint gid)
    {
        Assert.True(FakeStat.TryParse(Encoding.ASCII.GetBytes(text), out FakeStat stat));
        Assert.Equal((mode, uid, gid), (stat.Mode, stat.Uid, stat.Gid));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("100644 0 0 1:2")] // ',' must follow the major number
    [InlineData("100644 0,0 1 2")] // ':' must follow the uid
    [InlineData("100644 0,0 1:")]
    [InlineData("9 0,0 1:2")] // not octal
    public void Refuses_what_sscanf_would_not_read_five_of(string text) =>
        Assert.False(FakeStat.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void A_fake_super_destination_stores_links_and_devices_as_files_and_reads_them_back()
    {
        using ConfinedDirectory dest = ConfinedDirectory.Open(_root, create: false);
        dest.FakeSuper = true;
        dest.CreateSymlink("link", "../outside/target");
        dest.SetAttributes("link", new EntryAttributes(Uid: 1234, Gid: 5678) { EntryMode = 0xA1FF });
        dest.CreateDevice("null", 0x21A4, 1, 3);
        dest.SetAttributes("null", new EntryAttributes(Permissions: 0x1A4, Uid: 0, Gid: 0) { EntryMode = 0x21A4, RdevMajor = 1, RdevMinor = 3 });

        // On disk: regular files with full owner access, the link's target as content.
        Assert.Equal("../outside/target", File.ReadAllText(Path.Combine(_root, "link")));
        Assert.Equal(0, NativeStat.TryLstat(Path.Combine(_root, "link"), out NativeStat.Info real));
        Assert.Equal(0x81FF, real.Mode);
        Assert.Equal("120777 0,0 1234:5678", Xattr("link"));
        Assert.Equal("20644 1,3 0:0", Xattr("null"));

        // Through the destination: what the xattr says.
        EntryStatus link = dest.Stat("link")!.Value;
        Assert.True(link.IsSymlink);
        Assert.Equal((1234u, 5678u), (link.Uid, link.Gid));
        Assert.Equal("../outside/target", dest.ReadSymlink("link"));
        EntryStatus device = dest.Stat("null")!.Value;
        Assert.Equal((0x21A4u, 1u, 3u), (device.Mode, device.RdevMajor, device.RdevMinor));
    }

    [Fact]
    public void The_xattr_goes_away_when_the_real_file_says_it_all()
    {
        string path = Path.Combine(_root, "f");
        File.WriteAllText(path, "x");
        using ConfinedDirectory dest = ConfinedDirectory.Open(_root, create: false);
        dest.FakeSuper = true;
        uint uid = Interop.GetEffectiveUserId();
        // A group the real file does not have: kept in the xattr; the real mode is 0640 with full owner access.
        dest.SetAttributes("f", new EntryAttributes(Permissions: 0x1A0 /* 640 */, Uid: uid, Gid: 4242) { EntryMode = 0x81A0 });
        Assert.Equal("100640 0,0 " + uid + ":4242", Xattr("f"));
        Assert.Equal(4242u, dest.Stat("f")!.Value.Gid);
        // xattrs.c: set_stat_xattr — mode, rdev, owner and group all the real file's: removed.
        dest.SetAttributes("f", new EntryAttributes(Permissions: 0x1A4 /* 644 */, Uid: uid, Gid: (uint)RealGid(path)) { EntryMode = 0x81A4 });
        Assert.Null(Xattr("f"));
    }

    private static int RealGid(string path)
    {
        Assert.Equal(0, NativeStat.TryLstat(path, out NativeStat.Info info));
        return info.Gid;
    }

    private string? Xattr(string name)
    {
        int fd = Interop.OpenAt(Interop.AT_FDCWD, Path.Combine(_root, name), Interop.O_RDONLY | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        Assert.True(fd >= 0);
        using var handle = new DescriptorHandle(fd);
        int errno = FakeStat.ReadValue(handle.Fd, out byte[] value);
        return errno == Interop.ENODATA ? null : Encoding.ASCII.GetString(value);
    }
}
