using ManagedRsync.FileList;

namespace ManagedRsync.Tests.FileList;

/// <summary>
/// FileEntry keeps what most entries lack apart from the rest (protocol-notes §74): its fields read their defaults
/// until set, keep what is set, and a default set on a plain entry reads back as the default.
/// </summary>
public sealed class FileEntryTests
{
    private static FileEntry Plain() => new() { Name = "a"u8.ToArray(), Mode = FileEntry.S_IFREG | 0x1A4, Size = 5, ModTime = 7 };

    [Fact]
    public void APlainEntryReadsTheDefaults()
    {
        FileEntry e = Plain();
        Assert.Equal(-1, e.Dev);
        Assert.Equal(0, e.Ino);
        Assert.Equal(0, e.Nlink);
        Assert.Equal(-1, e.XattrIndex);
        Assert.Equal(0, e.AccessTime);
        Assert.Equal(0, e.ScanOrder);
        Assert.Equal(0, e.RdevMajor);
        Assert.Equal(0, e.RdevMinor);
        Assert.Null(e.LinkTarget);
        Assert.Null(e.Checksum);
        Assert.Null(e.Acls);
        Assert.Null(e.Xattrs);
        // Defaults set explicitly (as the list reader does for every entry) change nothing.
        e.Dev = -1;
        e.XattrIndex = -1;
        e.LinkTarget = null;
        e.AccessTime = 0;
        Assert.Equal(-1, e.Dev);
        Assert.Equal(-1, e.XattrIndex);
        Assert.Equal(5, e.Size);
        Assert.Equal(7, e.ModTime);
    }

    [Fact]
    public void WhatIsSetIsKeptAndCanBeSetBack()
    {
        FileEntry e = Plain();
        e.Dev = 0;
        e.Ino = 42;
        e.Nlink = 2;
        e.RdevMajor = 8;
        e.RdevMinor = 1;
        e.AccessTime = 1_700_000_000;
        e.ScanOrder = 3;
        e.LinkTarget = "t"u8.ToArray();
        e.Checksum = [1, 2];
        e.XattrIndex = 4;
        Assert.Equal(0, e.Dev);
        Assert.Equal(42, e.Ino);
        Assert.Equal(2, e.Nlink);
        Assert.Equal(8, e.RdevMajor);
        Assert.Equal(1, e.RdevMinor);
        Assert.Equal(1_700_000_000, e.AccessTime);
        Assert.Equal(3, e.ScanOrder);
        Assert.Equal("t"u8.ToArray(), e.LinkTarget);
        Assert.Equal([1, 2], e.Checksum);
        Assert.Equal(4, e.XattrIndex);
        e.Dev = -1;
        e.XattrIndex = -1;
        e.RdevMajor = 0;
        e.LinkTarget = null;
        Assert.Equal(-1, e.Dev);
        Assert.Equal(-1, e.XattrIndex);
        Assert.Equal(0, e.RdevMajor);
        Assert.Null(e.LinkTarget);
        Assert.Equal(42, e.Ino);
    }
}
