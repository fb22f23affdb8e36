using System.Text;
using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// The PROXY header parser without a socket (clientname.c: read_proxy_protocol_header, valid_ipaddr): hostile lengths
/// are refused before anything is read for them, and nothing past the header is consumed.
/// </summary>
public sealed class ProxyProtocolHeaderTests
{
    private static readonly byte[] Signature = "\r\n\r\n\0\r\nQUIT\n"u8.ToArray();

    [Theory]
    [InlineData("10.1.2.3", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("256.1.1.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1.2.3.4.5", false)]
    [InlineData("1..2.3", false)]
    [InlineData("0001.2.3.4", false)]
    [InlineData("+1.2.3.4", true)] // strtol takes a sign within the three characters
    [InlineData("fd00::1234", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("1:2:3:4:5:6:7:8", true)]
    [InlineData("1:2:3:4:5:6:1.2.3.4", true)]
    [InlineData("1:2:3:4:5:1.2.3.4", false)]
    [InlineData("12345::1", false)]
    [InlineData("1:::2", false)]
    [InlineData("1::2::3", false)]
    [InlineData("1:", false)]
    [InlineData(":1", false)]
    [InlineData("fe80::1%eth0", false)]
    [InlineData("g::1", false)]
    [InlineData("", false)]
    public void Addresses_are_checked_as_valid_ipaddr_checks_them(string address, bool valid) =>
        Assert.Equal(valid, ProxyProtocolHeader.IsValidAddress(address));

    [Theory]
    [InlineData("fd000000000000000000000000001234", "fd00::1234")]
    [InlineData("00000000000000000000000000000001", "::1")]
    [InlineData("00000000000000000000000000000000", "::")]
    [InlineData("00000000000000000000ffff0a010203", "::ffff:10.1.2.3")]
    [InlineData("0000000000000000000000000a010203", "::10.1.2.3")]
    [InlineData("20010db8000000010000000000000001", "2001:db8:0:1::1")]
    [InlineData("20010db8000100010001000100010000", "2001:db8:1:1:1:1:1:0")]
    [InlineData("fe800000000000000000000000000000", "fe80::")]
    public void IPv6_sources_print_as_inet_ntop_prints_them(string hex, string text) =>
        Assert.Equal(text, ProxyProtocolHeader.FormatIPv6(Convert.FromHexString(hex)));

    [Fact]
    public async Task A_v1_line_gives_its_source_and_leaves_the_greeting_unread()
    {
        (ProxyProtocolHeader.Result r, int left) = await ReadAsync("PROXY TCP4 10.1.2.3 127.0.0.1 40000 873\r\n@RSYNCD: 30.0\n"u8.ToArray());
        Assert.True(r.Accepted);
        Assert.Equal("10.1.2.3", r.SourceAddress);
        Assert.Equal("@RSYNCD: 30.0\n".Length, left);
    }

    [Fact]
    public async Task A_v1_line_without_an_end_is_refused_at_107_bytes()
    {
        byte[] flood = Encoding.ASCII.GetBytes("PROXY TCP4 " + new string('1', 4000));
        (ProxyProtocolHeader.Result r, int left) = await ReadAsync(flood);
        Assert.False(r.Accepted);
        Assert.Equal(flood.Length - 107, left);
    }

    [Fact]
    public async Task A_v2_length_over_the_bound_is_refused_before_its_block_is_read()
    {
        byte[] header = [.. Signature, 0x21, 0x11, 0xFF, 0xFF, .. new byte[100]];
        (ProxyProtocolHeader.Result r, int left) = await ReadAsync(header);
        Assert.False(r.Accepted);
        Assert.Equal(100, left);
    }

    [Fact]
    public async Task A_v2_tcp4_header_gives_its_source()
    {
        byte[] header = [.. Signature, 0x21, 0x11, 0, 12, 10, 9, 8, 7, 127, 0, 0, 1, 0, 1, 0, 2];
        (ProxyProtocolHeader.Result r, int left) = await ReadAsync(header);
        Assert.True(r.Accepted);
        Assert.Equal("10.9.8.7", r.SourceAddress);
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task A_truncated_header_ends_the_connection()
    {
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAsync([.. Signature, 0x21, 0x11, 0, 12, 10, 9]));
        await Assert.ThrowsAsync<EndOfStreamException>(() => ReadAsync("PROX"u8.ToArray()));
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", true, "1.2.3.4")]
    [InlineData("PROXY\tTCP4 1.2.3.4 5.6.7.8 1 2\r\n", true, "1.2.3.4")]
    [InlineData("PROXY UNKNOWN whatever\r\n", true, null)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", false, null)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", false, null)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 0 2\r\n", false, null)]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", false, null)]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n", false, null)]
    [InlineData("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n", true, "1.2.3.4")]
    [InlineData("PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", false, null)]
    public void V1_lines_are_decided_as_stock_decides_them(string line, bool accepted, string? source)
    {
        ProxyProtocolHeader.Result r = ProxyProtocolHeader.ParseV1(Encoding.ASCII.GetBytes(line));
        Assert.Equal(accepted, r.Accepted);
        Assert.Equal(source, r.SourceAddress);
    }

    private static async Task<(ProxyProtocolHeader.Result Result, int Left)> ReadAsync(byte[] input)
    {
        var stream = new MemoryStream(input);
        ProxyProtocolHeader.Result r = await ProxyProtocolHeader.ReadAsync(
            (buffer, ct) => stream.ReadExactlyAsync(buffer, ct).AsTask(), CancellationToken.None);
        return (r, (int)(stream.Length - stream.Position));
    }
}
