using ManagedRsync.Platform;
using ManagedRsync.Tests.Foundation;

namespace ManagedRsync.Tests.Platform;

/// <summary>
/// The watcher's paths are the library's one file-name form: a RawPath made from bytes is the string the transfer
/// engine takes (FileNameEncoding), gives back its bytes, and orders as the bytes do (memcmp).
/// </summary>
public class RawPathTests
{
    public static TheoryData<byte[]> Names() => FileNameEncodingTests.Names();

    [Theory]
    [MemberData(nameof(Names))]
    public void IsTheEnginesNameForTheSameBytes(byte[] bytes)
    {
        RawPath path = RawPath.FromBytes(bytes);

        Assert.Equal(FileNameEncoding.Decode(bytes), path.Text);
        Assert.Equal(bytes, path.ToBytes());
        Assert.Equal(bytes.Length, path.ByteCount);
        Assert.Equal(System.Text.Unicode.Utf8.IsValid(bytes), path.IsValidUtf8);
        Assert.Equal(FileNameEncoding.Display(bytes), path.ToString());
        byte[] copy = new byte[bytes.Length];
        Assert.Equal(bytes.Length, path.CopyTo(copy));
        Assert.Equal(bytes, copy);
    }

    [Fact]
    public void ChildParentAndNameCutAtTheSlashByte()
    {
        RawPath dir = RawPath.FromBytes([.. "d"u8, 0xfe]);
        RawPath child = dir.Child([0xc3, .. "x"u8]); // a truncated sequence right before the slash and after it

        Assert.Equal([.. "d"u8, 0xfe, (byte)'/', 0xc3, .. "x"u8], child.ToBytes());
        Assert.Equal(dir, child.Parent);
        Assert.Equal([0xc3, .. "x"u8], child.Name.ToBytes());
        Assert.True(child.IsUnder(dir));
        Assert.Equal([dir, child], child.SelfAndAncestorsTopDown());
    }

    [Fact]
    public void OrdersAsTheBytesDo()
    {
        byte[][] names =
        [
            "a"u8.ToArray(), "a/b"u8.ToArray(), [0x7f], [0x80], [0xc3, 0xa9], [0xe2, 0x82, 0xac],
            [0xee, 0x80, 0x80],             // U+E000: above the surrogates in UTF-16, below U+10000 in bytes
            [0xef, 0xbf, 0xbd],             // U+FFFD
            [0xf0, 0x9f, 0x98, 0x80],       // U+1F600: a surrogate pair in .NET
            [0xff],
        ];
        RawPath[] paths = [.. names.Select(n => RawPath.FromBytes(n))];
        for (int i = 0; i < paths.Length; i++)
        {
            for (int j = 0; j < paths.Length; j++)
                Assert.Equal(Math.Sign(names[i].AsSpan().SequenceCompareTo(names[j])), Math.Sign(paths[i].CompareTo(paths[j])));
        }
    }
}
