using System.Buffers;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Push;

public class FileListWriterTests
{
    // The file list stock rsync 3.5.0 sent for `rsync -av --no-inc-recursive --delete src/ rsync://host/mod/`
    // (protocol 32, daemon compat flags 0x1FE), captured on the wire. rsync sends entries in directory-scan order;
    // the writer encodes whatever order it is given, so the same order reproduces the same bytes.
    private const string StockRsyncFileList =
        "a001012e0000106bf6b707f0ee69fc2eed4100000000a09a026431000010f0ee60bf2ea098016c000500f0ee69fc2effa1000005612e747874" +
        "a09805612e747874000600f0ee60bf2ea4810000a09a0464312f62000600f0ee60bf2e00000004726f6f740004726f6f74";

    private static FileEntry Entry(string name, int mode, long size, int nsec, string? link = null) => new()
    {
        Name = Encoding.UTF8.GetBytes(name),
        Mode = mode,
        Size = size,
        ModTime = 0x6b07b7f6,
        ModTimeNsec = nsec,
        LinkTarget = link is null ? null : Encoding.UTF8.GetBytes(link),
        IsTopDir = name == ".",
    };

    [Fact]
    public void EncodesLikeStockRsync()
    {
        var session = new SessionParameters(32, (CompatFlags)0x1FE, 0, "xxh128", "none");
        var writer = new FileListWriter(session, TransferOptions.Archive);
        var w = new ArrayBufferWriter<byte>();
        FileEntry[] files =
        [
            Entry(".", 0x41ed, 4096, 0x2efc69ee),
            Entry("d1", 0x41ed, 4096, 0x2ebf60ee),
            Entry("l", 0xa1ff, 5, 0x2efc69ee, "a.txt"),
            Entry("a.txt", 0x81a4, 6, 0x2ebf60ee),
            Entry("d1/b", 0x81a4, 6, 0x2ebf60ee),
        ];
        for (int i = 0; i < files.Length; i++)
            writer.Write(w, files[i], i);
        writer.WriteEnd(w, ioError: 0);
        Assert.Equal(StockRsyncFileList, Convert.ToHexStringLower(w.WrittenSpan));
        Assert.Equal(17, writer.TotalSize); // rsync: "total size is 17"
    }

    [Theory]
    [InlineData(27)]
    [InlineData(28)]
    [InlineData(29)]
    [InlineData(30)]
    public void OlderProtocolsNeverStartAnEntryWithZero(int protocol)
    {
        // An entry whose flags come out as 0 would read as the end of the list (rsync flist.c: send_file_entry).
        var session = new SessionParameters(protocol, CompatFlags.None, 0, null, "none");
        var writer = new FileListWriter(session, TransferOptions.Archive);
        var w = new ArrayBufferWriter<byte>();
        writer.Write(w, Entry("a", 0x81a4, 1, 0), 0);
        int start = w.WrittenCount;
        writer.Write(w, Entry("b", 0x81a4, 1, 0), 1);
        Assert.NotEqual(0, w.WrittenSpan[start]);
    }

    [Fact]
    public void LongNamesUseTheLongForm()
    {
        var session = new SessionParameters(31, (CompatFlags)0x1FF, 0, "md5", "none");
        var writer = new FileListWriter(session, TransferOptions.Archive with { Owner = false, Group = false });
        var w = new ArrayBufferWriter<byte>();
        string name = new('n', 300);
        writer.Write(w, Entry(name, 0x81a4, 0, 0), 0);
        var r = new WireReader(w.WrittenSpan);
        Assert.True(r.TryReadVarInt(out int flags));
        Assert.Equal(FileListWriter.XMIT_LONG_NAME, flags & FileListWriter.XMIT_LONG_NAME);
        Assert.True(r.TryReadVarInt(out int length));
        Assert.Equal(300, length);
    }
}
