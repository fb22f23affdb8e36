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

    [Theory]
    [MemberData(nameof(Names))]
    public void DisplayedBytesUndoesDisplay(byte[] bytes)
    {
        // A log file (every escape) gets the name's bytes back; -8 (from 0177) keeps control bytes escaped.
        string shown = FileNameEncoding.Display(bytes);
        Assert.Equal(bytes, FileNameEncoding.DisplayedBytes(shown, lowest: 0));
        byte[] eightBit = FileNameEncoding.DisplayedBytes(shown, lowest: 0x7F);
        Assert.Equal(bytes.Any(b => b < 0x20 && b != (byte)'\t'), eightBit.AsSpan().IndexOf("\\#"u8) >= 0);
    }

    [Theory]
    [InlineData("a\\#400b", "a\\#400b")]   // over 0377: not an escape Display writes
    [InlineData("a\\#37", "a\\#37")]       // cut short
    [InlineData("\\#\\#101", "\\#A")]     // the second one is the escape
    public void DisplayedBytesLeavesWhatIsNotAnEscape(string text, string expected) =>
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected), FileNameEncoding.DisplayedBytes(text, lowest: 0));
}
