using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.FileList;

/// <summary>
/// The -X codec of rsync 3.5.0's xattrs.c without a peer: the list (send_xattr / receive_xattr) with its index cache,
/// what a receiving side keeps of it (user.* without root, the fake-super disguise, rsync.% only with -XX), the
/// abbreviated-value request and answer, and every bound a hostile peer could break, each with stock's words and its
/// exit code (RERR_PROTOCOL 2, RERR_STREAMIO 12, RERR_FILEIO 11).
/// </summary>
public sealed class XattrTableTests
{
    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
        {
        }
    }

    private static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    private static XattrItem[] List(params (string Name, byte[] Value)[] items) =>
        Xattrs.Sorted(items.Select(i => Xattrs.FromValue(B(i.Name), i.Value)).ToList());

    private static MultiplexReader Reader(ArrayBufferWriter<byte> w) => Reader(w.WrittenSpan.ToArray());

    private static MultiplexReader Reader(byte[] bytes) => new(new MemoryStream(bytes), new NoMessages());

    private static int Receive(XattrTable table, MultiplexReader input) =>
        table.ReceiveAsync(input, () => "f", CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static byte[] Varints(params int[] values)
    {
        var w = new ArrayBufferWriter<byte>();
        foreach (int v in values)
            w.WriteVarInt(v);
        return w.WrittenSpan.ToArray();
    }

    private static readonly byte[] Long = RandomNumberGenerator.GetBytes(3000);

    [Fact]
    public void A_list_goes_once_and_then_by_index_with_long_values_as_their_md5()
    {
        var sender = new XattrTable(1, 1);
        var w = new ArrayBufferWriter<byte>();
        XattrItem[] list = List(("user.small", B("abc")), ("user.big", Long));
        Assert.Equal(0, sender.Send(w, list));
        Assert.Equal(0, sender.Send(w, List(("user.small", B("abc")), ("user.big", Long))));
        Assert.Equal(1, sender.Send(w, []));

        var receiver = new XattrTable(1, 1);
        var input = Reader(w);
        Assert.Equal(0, Receive(receiver, input));
        Assert.Equal(0, Receive(receiver, input));
        Assert.Equal(1, Receive(receiver, input));
        XattrItem[] got = receiver.List(0);
        Assert.Equal(["user.big", "user.small"], got.Select(i => Encoding.UTF8.GetString(i.Name)));
        Assert.Equal(3000, got[0].DatumLength);
        Assert.Null(got[0].Value);
        Assert.Equal(MD5.HashData(Long), got[0].Sum);
        Assert.Equal(B("abc"), got[1].Value);
        Assert.Equal([1, 2], got.Select(i => i.Num));
    }

    [Theory]
    // Not root: only user.*; root: everything sent; fake super: the others disguised under user.rsync. (sorted again).
    [InlineData(0, 1, "user.a")]
    [InlineData(1, 1, "trusted.t,user.a")]
    [InlineData(-1, 1, "user.a,user.rsync.trusted.t")]
    // rsync.% names only with -XX.
    [InlineData(1, 2, "trusted.t,user.a,user.rsync.%foo")]
    public void What_a_receiving_side_keeps(int amRoot, int level, string kept)
    {
        var w = new ArrayBufferWriter<byte>();
        new XattrTable(2, 1).Send(w, List(("user.a", B("1")), ("trusted.t", B("2")), ("user.rsync.%foo", B("3"))));
        var receiver = new XattrTable(level, amRoot);
        int index = Receive(receiver, Reader(w));
        Assert.Equal(kept, string.Join(',', receiver.List(index).Select(i => Encoding.UTF8.GetString(i.Name))));
    }

    [Fact]
    public void A_fake_super_sender_strips_its_disguise()
    {
        var w = new ArrayBufferWriter<byte>();
        new XattrTable(1, -1).Send(w, List(("user.rsync.trusted.t", B("x"))));
        var receiver = new XattrTable(1, 1);
        int index = Receive(receiver, Reader(w));
        Assert.Equal("trusted.t", Encoding.UTF8.GetString(receiver.List(index)[0].Name));
    }

    [Theory]
    [InlineData(new[] { 3 }, RsyncErrorKind.ProtocolViolation, "receive_xattr: xa index 3 out of range for f")]
    [InlineData(new[] { -1 }, RsyncErrorKind.ProtocolViolation, "receive_xattr: xa index -1 out of range for f")]
    [InlineData(new[] { 0, 65537 }, RsyncErrorKind.ProtocolIncompatible, "wire value xattr count out of range: 65537 not in [0,65536] [Receiver]")]
    [InlineData(new[] { 0, -2 }, RsyncErrorKind.ProtocolIncompatible, "wire value xattr count out of range: -2 not in [0,65536] [Receiver]")]
    [InlineData(new[] { 0, 1, 4097 }, RsyncErrorKind.ProtocolIncompatible, "wire size xattr name_len out of range: 4097 > 4096 [Receiver]")]
    [InlineData(new[] { 0, 1, 7, -5 }, RsyncErrorKind.ProtocolIncompatible, "wire size xattr datum_len out of range: -5 > 2147483647 [Receiver]")]
    [InlineData(new[] { 0, 1, 7, 134217729 }, RsyncErrorKind.ProtocolIncompatible, "xattr datum_len exceeds per-value limit [Receiver]")]
    [InlineData(new[] { 0, 5, 4096, 134217728, 4096, 134217728, 4096, 134217728, 4096, 134217728 }, RsyncErrorKind.ProtocolIncompatible, "xattr list exceeds per-file limit [Receiver]")]
    public void A_hostile_list_is_refused_before_anything_is_kept(int[] varints, RsyncErrorKind kind, string message)
    {
        // The fourth long value of the last row would pass 512 MiB: refused before its name is read (and so before
        // the 128 MiB of each earlier value, which a hostile peer never has to send: the bounds come first).
        byte[] bytes = varints.Length == 10 ? Hostile512() : Varints(varints);
        var e = Assert.Throws<RsyncException>(() => Receive(new XattrTable(1, 1), Reader(bytes)));
        Assert.Equal(kind, e.Kind);
        Assert.Equal(message, e.Message);
    }

    // Three values of 128 MiB each announced and sent as checksums (a long value travels as 16 bytes), then a fourth.
    private static byte[] Hostile512()
    {
        var w = new ArrayBufferWriter<byte>();
        w.WriteVarInt(0);
        w.WriteVarInt(5);
        for (int i = 0; i < 4; i++)
        {
            w.WriteVarInt(4096);
            w.WriteVarInt(128 * 1024 * 1024);
            byte[] name = new byte[4096];
            name.AsSpan().Fill((byte)'a');
            "user."u8.CopyTo(name);
            name[^1] = 0;
            w.Write(name);
            w.Write(new byte[16]);
        }
        return w.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_name_without_its_nul_ends_the_run_as_a_file_error()
    {
        var w = new ArrayBufferWriter<byte>();
        w.Write(Varints(0, 1, 6, 1));
        w.Write("user.a"u8);
        w.Write("v"u8);
        var e = Assert.Throws<RsyncException>(() => Receive(new XattrTable(1, 1), Reader(w)));
        Assert.Equal(RsyncErrorKind.FileIo, e.Kind);
        Assert.Equal("Invalid xattr name received (missing trailing \\0).", e.Message);
    }

    // The sender's list, as the receiving side (generator and receiver) and the sender each hold it.
    private static (XattrTable Sender, XattrTable Receiving) Pair(XattrItem[] list)
    {
        var sender = new XattrTable(1, 1);
        var w = new ArrayBufferWriter<byte>();
        sender.Send(w, list);
        var receiving = new XattrTable(1, 1);
        Receive(receiving, Reader(w));
        return (sender, receiving);
    }

    [Fact]
    public void The_generator_asks_for_the_long_values_it_lacks_and_the_receiver_gets_them()
    {
        byte[] other = RandomNumberGenerator.GetBytes(40);
        XattrItem[] list = List(("user.a", Long), ("user.b", B("short")), ("user.c", other));
        (XattrTable sender, XattrTable receiving) = Pair(list);

        // Locally user.a matches and user.c differs: only #3 is asked for.
        XattrItem[] local = List(("user.a", Long), ("user.c", RandomNumberGenerator.GetBytes(40)));
        Assert.True(receiving.Differs(0, local, findAll: true));
        var request = new ArrayBufferWriter<byte>();
        receiving.WriteRequest(request, 0);
        Assert.Equal(Varints(3, 0), request.WrittenSpan.ToArray());

        sender.ReadRequestAsync(Reader(request), 0, () => "f", CancellationToken.None).Run();
        var answer = new ArrayBufferWriter<byte>();
        sender.WriteValues(answer, 0, name => Encoding.UTF8.GetString(name) == "user.c" ? other : null);
        receiving.ReadValuesAsync(Reader(answer), 0, () => "f", CancellationToken.None).Run();
        var wanted = receiving.Wanted(0);
        Assert.Null(wanted[0].Value);
        Assert.Equal(B("short"), wanted[1].Value);
        Assert.Equal(other, wanted[2].Value);

        // Settled: the same list asks for nothing again.
        Assert.True(receiving.Differs(0, local, findAll: true));
        var again = new ArrayBufferWriter<byte>();
        receiving.WriteRequest(again, 0);
        Assert.Equal(Varints(0), again.WrittenSpan.ToArray());
    }

    [Fact]
    public void Equal_lists_do_not_differ_and_a_new_entry_asks_for_every_long_value()
    {
        XattrItem[] list = List(("user.a", Long), ("user.b", B("x")));
        (_, XattrTable receiving) = Pair(list);
        Assert.False(receiving.Differs(0, List(("user.a", Long), ("user.b", B("x"))), findAll: true));
        Assert.True(receiving.Differs(0, List(("user.a", Long), ("user.b", B("x")), ("user.c", B("y"))), findAll: false));
        Assert.True(receiving.Differs(0, null, findAll: true));
        var request = new ArrayBufferWriter<byte>();
        receiving.WriteRequest(request, 0);
        Assert.Equal(Varints(1, 0), request.WrittenSpan.ToArray());
    }

    [Theory]
    // A number past the list, a short value, one asked for twice, an overflowing sum of differences.
    [InlineData(new[] { 4, 0 }, "[sender] could not find xattr #4 for f")]
    [InlineData(new[] { 2, 0 }, "[sender] internal abbrev error on f (user.b, len=1)!")]
    [InlineData(new[] { 1, 0, 1, 0 }, "[sender] internal abbrev error on f (user.a, len=3000)!")]
    [InlineData(new[] { 1, 2147483647, 0 }, "xattr rel_pos accumulation overflow [sender]")]
    public void A_hostile_request_ends_the_run(int[] varints, string message)
    {
        (XattrTable sender, _) = Pair(List(("user.a", Long), ("user.b", B("x")), ("user.c", Long)));
        var input = Reader(Varints(varints));
        var e = Assert.Throws<RsyncException>(() =>
        {
            sender.ReadRequestAsync(input, 0, () => "f", CancellationToken.None).Run();
            sender.ReadRequestAsync(input, 0, () => "f", CancellationToken.None).Run();
        });
        Assert.Equal(RsyncErrorKind.ProtocolIncompatible, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    // A value sent twice, one too long, one of a negative length.
    [InlineData(new int[0], false, "[receiver] internal abbrev error on f (user.a, len=3000)!")]
    [InlineData(new[] { 1, 134217729 }, true, "xattr datum_len exceeds per-value limit [receiver]")]
    [InlineData(new[] { 1, -1 }, true, "wire size xattr datum_len out of range: -1 > 2147483647 [receiver]")]
    public void A_hostile_answer_ends_the_run(int[] varints, bool plain, string message)
    {
        (_, XattrTable receiving) = Pair(List(("user.a", Long)));
        // Not plain: the same value sent in two answers (a second ITEM_REPORT_XATTR for the same list).
        byte[] bytes = plain ? Varints(varints) : [.. Varints(1, 1), 65, 0, .. Varints(1, 1), 65, 0];
        var input = Reader(bytes);
        var e = Assert.Throws<RsyncException>(() =>
        {
            receiving.ReadValuesAsync(input, 0, () => "f", CancellationToken.None).Run();
            receiving.ReadValuesAsync(input, 0, () => "f", CancellationToken.None).Run();
        });
        Assert.Equal(RsyncErrorKind.ProtocolIncompatible, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("system.posix_acl_access", true, 1, 1, false)]
    [InlineData("trusted.t", true, 1, 0, true)]
    [InlineData("trusted.t", false, 1, 0, false)]
    [InlineData("trusted.t", false, 1, 1, true)]
    [InlineData("user.rsync.%stat", true, 1, 1, false)]
    [InlineData("user.rsync.%stat", true, 2, 1, true)]
    [InlineData("user.rsync.%stat", false, 1, -1, false)]
    [InlineData("user.rsync.%foo", false, 1, -1, true)]
    public void Which_names_a_side_lists(string name, bool sender, int level, int amRoot, bool listed) =>
        Assert.Equal(listed, Xattrs.Lists(B(name), sender, level, amRoot));
}

internal static class ValueTaskRun
{
    // The codec's reads over a MemoryStream complete at once.
    public static void Run(this ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
