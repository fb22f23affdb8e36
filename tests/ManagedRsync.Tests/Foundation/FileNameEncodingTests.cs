using ManagedRsync.Platform;

namespace ManagedRsync.Tests.Foundation;

/// <summary>File names are bytes: the string form must give back the exact bytes, and print as stock rsync prints them.</summary>
public class FileNameEncodingTests
{
    public static TheoryData<byte[]> Names() => new()
    {
        "plain.txt"u8.ToArray(),
        (byte[])[.. "gbk-"u8, 0xc4, 0xe3, 0xba, 0xc3, .. ".txt"u8],
        (byte[])[.. "caf"u8, 0xe9],
        new byte[] { 0x80 },
        new byte[] { 0xed, 0xa0, 0x80 },                   // an encoded surrogate is not valid UTF-8
        (byte[])[.. "ok-"u8, 0xf0, 0x9f, 0x98, 0x80], // a valid 4-byte sequence (a surrogate pair in .NET)
        new byte[] { 0xf0, 0x9f, 0x98 },                   // a truncated one
        "new\nline"u8.ToArray(),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void StringFormGivesBackTheExactBytes(byte[] bytes)
    {
        string text = FileNameEncoding.Decode(bytes);

        Assert.Equal(bytes, FileNameEncoding.Encode(text));
        Assert.Equal(bytes.Length, FileNameEncoding.ByteCount(text));
        Assert.Equal([.. bytes, 0], FileNameEncoding.EncodeNullTerminated(text));
        Assert.Equal(!System.Text.Unicode.Utf8.IsValid(bytes), FileNameEncoding.HasEscapes(text));
    }

    [Theory]
    [InlineData(new byte[] { 0x67, 0x62, 0x6b, 0x2d, 0xc4, 0xe3, 0x2e, 0x74, 0x78, 0x74 }, "gbk-\\#304\\#343.txt")]
    [InlineData(new byte[] { 0x6e, 0x65, 0x77, 0x0a, 0x6c, 0x69, 0x6e, 0x65 }, "new\\#012line")]
    [InlineData(new byte[] { 0x63, 0x61, 0x66, 0xc3, 0xa9, 0x09, 0x78 }, "café\tx")]
    public void PrintsLikeStockRsync(byte[] bytes, string expected)
    {
        // What `rsync -av` printed for these names (checked with stock 3.5.0 in a UTF-8 locale).
        Assert.Equal(expected, FileNameEncoding.Display(bytes));
        Assert.Equal(expected, FileNameEncoding.Display(FileNameEncoding.Decode(bytes)));
    }
}
