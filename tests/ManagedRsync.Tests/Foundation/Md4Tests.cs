using System.Text;
using ManagedRsync.Checksums;

namespace ManagedRsync.Tests.Foundation;

public class Md4Tests
{
    // RFC 1320, appendix A.5 test suite.
    [Theory]
    [InlineData("", "31d6cfe0d16ae931b73c59d7e0c089c0")]
    [InlineData("a", "bde52cb31de33e46245e05fbdbd6fb24")]
    [InlineData("abc", "a448017aaf21d8525fc10ae87aa6729d")]
    [InlineData("message digest", "d9130a8164549fe818874806e1c7014b")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "043f8582f241db351ce627e153e7f0e4")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
        "e33b4ddc9c38f2199c3e7b164fcc0536")]
    public void MatchesRfc1320Vectors(string input, string expectedHex)
    {
        Assert.Equal(expectedHex, Convert.ToHexStringLower(Md4.HashData(Encoding.ASCII.GetBytes(input))));
    }

    [Fact]
    public void IncrementalAppendInAnySplitEqualsOneShot()
    {
        var data = new byte[1000];
        new Random(7).NextBytes(data);
        var expected = Md4.HashData(data);
        var md4 = new Md4();
        var actual = new byte[16];
        foreach (int split in new[] { 1, 3, 55, 56, 63, 64, 65, 127, 128, 999 })
        {
            for (int i = 0; i < data.Length; i += split)
            {
                md4.Append(data.AsSpan(i, Math.Min(split, data.Length - i)));
            }
            md4.GetHashAndReset(actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void MillionAs()
    {
        // A widely published MD4 value (e.g. OpenSSL's test suite) that crosses many blocks.
        var data = new byte[1_000_000];
        data.AsSpan().Fill((byte)'a');
        Assert.Equal("bbce80cc6bb65e5c6745e30d4eeca9a4", Convert.ToHexStringLower(Md4.HashData(data)));
    }

    [Fact]
    public void BustedFinishOfEmptyInputIsTheInitialState()
    {
        // rsync checksum.c, CSUM_MD4_BUSTED: with nothing left over, mdfour_tail is never called, so the result is
        // the chaining state as it stands, for empty input the MD4 initial values written little-endian.
        var md4 = new Md4();
        var digest = new byte[16];
        md4.GetHashAndReset(digest, Md4Finish.RsyncBeforeProtocol27);
        Assert.Equal("0123456789abcdeffedcba9876543210", Convert.ToHexStringLower(digest));
    }

    [Fact]
    public void BustedFinishDiffersOnlyOnBlockBoundaries()
    {
        var md4 = new Md4();
        var busted = new byte[16];
        var data = new byte[200];
        new Random(3).NextBytes(data);
        foreach (int length in new[] { 1, 63, 64, 65, 128, 199 })
        {
            md4.Append(data.AsSpan(0, length));
            md4.GetHashAndReset(busted, Md4Finish.SkipTailOnBlockBoundary);
            var standard = Md4.HashData(data.AsSpan(0, length));
            if (length % 64 == 0)
            {
                Assert.NotEqual(standard, busted);
            }
            else
            {
                Assert.Equal(standard, busted);
            }
        }
    }

    [Fact]
    public void ResetAfterDigestStartsOver()
    {
        var md4 = new Md4();
        var digest = new byte[16];
        md4.Append("junk"u8);
        md4.GetHashAndReset(digest);
        md4.Append("abc"u8);
        md4.GetHashAndReset(digest);
        Assert.Equal("a448017aaf21d8525fc10ae87aa6729d", Convert.ToHexStringLower(digest));
    }
}
