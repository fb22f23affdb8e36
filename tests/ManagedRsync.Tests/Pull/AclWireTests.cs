using System.Buffers;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// -A's wire form (acls.c: send_rsync_acl, recv_rsync_acl, send_ida_entries, recv_ida_entries), the kernel's ACL xattr
/// (lib/acl.c) and fake super's (acls.c: set_rsync_acl with am_root &lt; 0): golden bytes, round trips, the caches,
/// and every bound a hostile sender could cross, with stock's words and exit codes.
/// </summary>
public sealed class AclWireTests
{
    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload) => Assert.Fail($"unexpected message {code}");
    }

    private const int File0664 = 0x8000 | 0x1B4, Dir0755 = 0x4000 | 0x1ED;

    // user::rw- user:nobody:rw- group::r-- group:daemon:r-- mask::rw- other::r-- (a file of mode 0664).
    private static readonly RsyncAcl Named = new()
    {
        UserObj = 6, GroupObj = 4, MaskObj = 6, OtherObj = 4,
        Names = [new IdAccess(65534, 6 | IdAccess.NameIsUser), new IdAccess(1, 4)],
    };

    private static async Task<List<EntryAcls>> ReadAsync(byte[] wire, params int[] modes)
    {
        await using var input = new MultiplexReader(new MemoryStream(wire), new NoMessages());
        var receiver = new AclReceiver();
        var all = new List<EntryAcls>();
        foreach (int mode in modes)
            all.Add(await receiver.ReadAsync(input, mode, CancellationToken.None));
        return all;
    }

    [Fact]
    public void A_condensed_access_acl_leaves_out_what_the_mode_says()
    {
        var w = new ArrayBufferWriter<byte>();
        new AclSender().Write(w, new EntryAcls(Named, null), File0664, incRecurse: false, (_, _) => null);
        // 0: a new ACL; flags XMIT_GROUP_OBJ|XMIT_NAME_LIST (user, other and the mask equal to the mode's group bits
        // are left out); group r; two names: 65534 (varint C0 FE FF) with rw<<2|IS_USER, 1 with r<<2.
        Assert.Equal(new byte[] { 0x00, 0x12, 0x04, 0x02, 0xC0, 0xFE, 0xFF, 0x1A, 0x01, 0x10 }, w.WrittenSpan.ToArray());
    }

    [Fact]
    public async Task The_second_entry_with_the_same_acl_sends_its_cache_index_and_the_receiver_rebuilds_the_mask()
    {
        var w = new ArrayBufferWriter<byte>();
        var sender = new AclSender();
        sender.Write(w, new EntryAcls(Named, null), File0664, incRecurse: false, (_, _) => null);
        int first = w.WrittenCount;
        sender.Write(w, new EntryAcls(Named, null), File0664, incRecurse: false, (_, _) => null);
        Assert.Equal(new byte[] { 0x01 }, w.WrittenSpan[first..].ToArray());
        // A directory without ACLs: its mode, and an empty default ACL (flags 0).
        sender.Write(w, null, Dir0755, incRecurse: false, (_, _) => null);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x00 }, w.WrittenSpan[(first + 1)..].ToArray());

        List<EntryAcls> read = await ReadAsync(w.WrittenSpan.ToArray(), File0664, File0664, Dir0755);
        Assert.Same(read[0].Access, read[1].Access);
        RsyncAcl got = read[0].Access;
        Assert.Equal(RsyncAcl.NoEntry, got.UserObj);
        Assert.Equal(4, got.GroupObj);
        Assert.Equal(6, got.MaskObj); // recv_rsync_acl: names without a mask get the mode's group bits
        Assert.Equal(Named.Names, got.Names);
        Assert.True(RsyncAcl.EqualEnough(Named, got, File0664));
        Assert.Equal(RsyncAcl.Empty, read[2].Default);
    }

    [Fact]
    public async Task With_incremental_recursion_a_name_follows_its_id_the_first_time()
    {
        var w = new ArrayBufferWriter<byte>();
        new AclSender().Write(w, new EntryAcls(Named, null), File0664, incRecurse: true,
            (user, id) => user ? "nobody"u8.ToArray() : null);
        var names = new List<(bool, int, string)>();
        await using var input = new MultiplexReader(new MemoryStream(w.WrittenSpan.ToArray()), new NoMessages());
        var receiver = new AclReceiver { NameArrived = (u, id, n) => names.Add((u, id, n)) };
        EntryAcls acls = await receiver.ReadAsync(input, File0664, CancellationToken.None);
        Assert.Equal([(true, 65534, "nobody")], names);
        Assert.Equal(Named.Names, acls.Access.Names);
    }

    [Theory]
    [InlineData(new byte[] { 0x05 }, "recv_acl_index: ACL_TYPE_ACCESS ACL index 5 > 0", RsyncExitCode.StreamIo)]
    [InlineData(new byte[] { 0x00, 0x01, 0x08 }, "recv_acl_access: value out of range: 8", RsyncExitCode.StreamIo)]
    [InlineData(new byte[] { 0x00, 0x10, 0x01, 0x07, 0x20 }, "recv_acl_access: value out of range: 8", RsyncExitCode.StreamIo)]
    [InlineData(new byte[] { 0x00, 0x10, 0xC1, 0x01, 0x00 }, "wire value ACL count out of range: 65537 not in [0,65536]", RsyncExitCode.Protocol)]
    [InlineData(new byte[] { 0x00, 0x10, 0xFF }, "wire value ACL count out of range: -1 not in [0,65536]", RsyncExitCode.Protocol)]
    public async Task Hostile_acls_end_the_run_with_stocks_words_and_code(byte[] wire, string words, RsyncExitCode code)
    {
        // (0xFF alone is a four-byte varint whose bytes are missing: padded so that it reads as -1.)
        byte[] padded = wire[^1] == 0xFF && wire.Length == 3 ? [0x00, 0x10, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF] : wire;
        var e = await Assert.ThrowsAsync<RsyncException>(() => ReadAsync(padded, File0664));
        Assert.Equal(words, e.Message);
        Assert.Equal(code, e.ExitCode);
    }

    [Fact]
    public async Task A_default_acl_index_is_bounded_by_the_default_cache()
    {
        // The access ACL is new (cache 1), the default's index 1 names an entry its own cache does not have.
        var e = await Assert.ThrowsAsync<RsyncException>(() => ReadAsync([0x00, 0x00, 0x01], Dir0755));
        Assert.Equal("recv_acl_index: ACL_TYPE_DEFAULT ACL index 1 > 0", e.Message);
    }

    [Fact]
    public async Task A_truncated_name_list_is_an_end_of_stream_not_a_partial_acl() =>
        await Assert.ThrowsAnyAsync<Exception>(() => ReadAsync([0x00, 0x10, 0x02, 0x01, 0x10], File0664));

    [Fact]
    public void The_kernel_xattr_is_version_2_entries_sorted_by_tag_then_id()
    {
        byte[] value = PosixAclXattr.Format(new RsyncAcl
        {
            GroupObj = RsyncAcl.NoEntry, MaskObj = 0,
            Names = [new IdAccess(1, 4), new IdAccess(65534, 6 | IdAccess.NameIsUser), new IdAccess(2, 4 | IdAccess.NameIsUser)],
        }, access: true, mode: 0x8000 | 0x1A0 /* 0640 */);
        Assert.Equal(
            "02000000" + "01000600ffffffff" + "0200040002000000" + "02000600feff0000" + "04000400ffffffff"
            + "0800040001000000" + "10000400ffffffff" + "20000000ffffffff",
            Convert.ToHexStringLower(value));
        RsyncAcl? back = PosixAclXattr.Parse(value);
        Assert.NotNull(back);
        Assert.Equal([new IdAccess(2, 4 | IdAccess.NameIsUser), new IdAccess(65534, 6 | IdAccess.NameIsUser), new IdAccess(1, 4)], back.Names);
        Assert.Equal((6, 4, 4, 0), (back.UserObj, back.GroupObj, back.MaskObj, back.OtherObj));
        Assert.Null(PosixAclXattr.Parse([1, 0, 0, 0]));
        Assert.Null(PosixAclXattr.Parse([2, 0, 0, 0, 1]));
    }

    [Fact]
    public void Fake_super_keeps_the_acl_as_received_as_stock_writes_it()
    {
        // What stock's fake-super daemon wrote for group:daemon:r-- with mask r-- (the file "a" of a push): user, group
        // and other absent (0x80), mask 4, then id 1 with access 4.
        var received = new RsyncAcl { MaskObj = 4, Names = [new IdAccess(1, 4)] };
        Assert.Equal("800000008000000004000000800000000100000004000000", Convert.ToHexStringLower(FakeSuperAcl.Format(received)));
        RsyncAcl? read = FakeSuperAcl.Parse(FakeSuperAcl.Format(received), 0x8000 | 0x1A4);
        Assert.NotNull(read);
        Assert.Equal((6, 4, 4, 4), (read.UserObj, read.GroupObj, read.MaskObj, read.OtherObj));
        Assert.Null(FakeSuperAcl.Parse(new byte[20], 0));
    }
}
