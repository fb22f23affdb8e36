using System.Buffers;
using ManagedRsync.Protocol;

namespace ManagedRsync.FileList;

/// <summary>
/// The ACLs after a file-list entry (rsync acls.c: send_acl / receive_acl, called from flist.c after send_file_entry
/// and at the end of recv_file_entry, before the xattrs): every entry but a symlink carries its access ACL, a
/// directory then its default ACL. Each ACL is a varint: 0 for "a new ACL follows", else 1 + the index of an earlier
/// one of the same kind (the sender's and the receiver's caches grow in step, one list per kind, for the whole
/// session). A new ACL is a flags byte (XMIT_USER_OBJ 1, XMIT_GROUP_OBJ 2, XMIT_MASK_OBJ 4, XMIT_OTHER_OBJ 8,
/// XMIT_NAME_LIST 16), a varint for each object entry flagged, and with the name list: a varint count, then for each
/// a varint id and a varint of (access &lt;&lt; 2) | XFLAG_NAME_IS_USER (2) | XFLAG_NAME_FOLLOWS (1), the latter with a
/// byte length and the name (incremental recursion only; otherwise the ids join the id lists after the file list).
/// </summary>
internal static class AclWire
{
    public const byte XmitUserObj = 1 << 0, XmitGroupObj = 1 << 1, XmitMaskObj = 1 << 2, XmitOtherObj = 1 << 3, XmitNameList = 1 << 4;
    public const uint XflagNameFollows = 1, XflagNameIsUser = 2;

    /// <summary>rsync.h: MAX_WIRE_ACL_COUNT, the most named entries one ACL may carry.</summary>
    public const int MaxWireCount = 65536;

    /// <summary>acls.c: str_acl_type as stock names the kinds in its errors.</summary>
    public static string KindName(bool access) => access ? "ACL_TYPE_ACCESS" : "ACL_TYPE_DEFAULT";
}

/// <summary>The sending side's caches (acls.c: access_acl_list, default_acl_list) and the writing of one entry's ACLs.</summary>
internal sealed class AclSender
{
    private readonly Dictionary<RsyncAcl, int> _access = [];
    private readonly Dictionary<RsyncAcl, int> _default = [];

    /// <summary>
    /// acls.c: send_acl — the access ACL condensed against <paramref name="mode"/> (what the sender could not read, or
    /// a file without one, is its mode: rsync_acl_fake_perms), and for a directory the default ACL (none: empty).
    /// <paramref name="idName"/> answers, for a named entry's (is-user, id), the name to send with it (uidlist.c:
    /// add_uid/add_gid return it the first time an id is seen, and only then, and null with --numeric-ids).
    /// </summary>
    public void Write(IBufferWriter<byte> w, EntryAcls? acls, int mode, bool incRecurse, Func<bool, uint, byte[]?> idName)
    {
        RsyncAcl access = (acls?.Access ?? RsyncAcl.FromMode(mode)).StripPerms(mode);
        WriteOne(w, access, _access, incRecurse, idName);
        if ((mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR)
            WriteOne(w, acls?.Default ?? RsyncAcl.Empty, _default, incRecurse, idName);
    }

    private static void WriteOne(IBufferWriter<byte> w, RsyncAcl acl, Dictionary<RsyncAcl, int> cache, bool incRecurse,
        Func<bool, uint, byte[]?> idName)
    {
        if (cache.TryGetValue(acl, out int ndx))
        {
            w.WriteVarInt(ndx + 1);
            return;
        }
        w.WriteVarInt(0);
        cache[acl] = cache.Count;
        byte flags = 0;
        if (acl.UserObj != RsyncAcl.NoEntry) flags |= AclWire.XmitUserObj;
        if (acl.GroupObj != RsyncAcl.NoEntry) flags |= AclWire.XmitGroupObj;
        if (acl.MaskObj != RsyncAcl.NoEntry) flags |= AclWire.XmitMaskObj;
        if (acl.OtherObj != RsyncAcl.NoEntry) flags |= AclWire.XmitOtherObj;
        if (acl.Names.Length != 0) flags |= AclWire.XmitNameList;
        w.WriteByte(flags);
        if ((flags & AclWire.XmitUserObj) != 0) w.WriteVarInt(acl.UserObj);
        if ((flags & AclWire.XmitGroupObj) != 0) w.WriteVarInt(acl.GroupObj);
        if ((flags & AclWire.XmitMaskObj) != 0) w.WriteVarInt(acl.MaskObj);
        if ((flags & AclWire.XmitOtherObj) != 0) w.WriteVarInt(acl.OtherObj);
        if ((flags & AclWire.XmitNameList) == 0)
            return;
        // acls.c: send_ida_entries.
        w.WriteVarInt(acl.Names.Length);
        foreach (IdAccess ida in acl.Names)
        {
            uint xbits = (ida.Access & 7) << 2;
            if (ida.IsUser)
                xbits |= AclWire.XflagNameIsUser;
            byte[]? name = idName(ida.IsUser, ida.Id);
            w.WriteVarInt((int)ida.Id);
            if (incRecurse && name is not null)
            {
                // write_byte(len): a name of 256 bytes or more keeps only the low byte of its length, as stock's does.
                int len = name.Length & 0xFF;
                w.WriteVarInt((int)(xbits | AclWire.XflagNameFollows));
                w.WriteByte((byte)len);
                w.Write(name.AsSpan(0, len));
            }
            else
                w.WriteVarInt((int)xbits);
        }
    }
}

/// <summary>
/// The receiving side's caches and the reading of one entry's ACLs (acls.c: receive_acl, recv_rsync_acl,
/// recv_ida_entries, recv_acl_access), every index, count and value bounded as stock bounds it.
/// </summary>
internal sealed class AclReceiver
{
    private readonly List<RsyncAcl> _access = [];
    private readonly List<RsyncAcl> _default = [];

    /// <summary>am_root &lt; 0: a fake-super receiver stores the bits as received and does not check them.</summary>
    public bool FakeSuper { get; init; }

    /// <summary>
    /// Told of a name that travels with a named entry (user?, id, name): uidlist.c recv_user_name / recv_group_name
    /// add it to the id lists, mapped as an owner's name is.
    /// </summary>
    public Action<bool, int, string>? NameArrived { get; set; }

    public async ValueTask<EntryAcls> ReadAsync(MultiplexReader input, int mode, CancellationToken ct)
    {
        RsyncAcl access = await ReadOneAsync(input, _access, true, mode, ct).ConfigureAwait(false);
        RsyncAcl? dflt = (mode & FileEntry.S_IFMT) == FileEntry.S_IFDIR
            ? await ReadOneAsync(input, _default, false, 0, ct).ConfigureAwait(false)
            : null;
        return new EntryAcls(access, dflt);
    }

    private async ValueTask<RsyncAcl> ReadOneAsync(MultiplexReader input, List<RsyncAcl> cache, bool isAccess, int mode,
        CancellationToken ct)
    {
        int ndx = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
        if (ndx < 0 || ndx > cache.Count)
            throw RsyncException.Protocol($"recv_acl_index: {AclWire.KindName(isAccess)} ACL index {ndx} > {cache.Count}");
        if (ndx != 0)
            return cache[ndx - 1];
        byte flags = await input.ReadByteAsync(ct).ConfigureAwait(false);
        byte user = RsyncAcl.NoEntry, group = RsyncAcl.NoEntry, mask = RsyncAcl.NoEntry, other = RsyncAcl.NoEntry;
        if ((flags & AclWire.XmitUserObj) != 0) user = await ReadObjAsync(input, ct).ConfigureAwait(false);
        if ((flags & AclWire.XmitGroupObj) != 0) group = await ReadObjAsync(input, ct).ConfigureAwait(false);
        if ((flags & AclWire.XmitMaskObj) != 0) mask = await ReadObjAsync(input, ct).ConfigureAwait(false);
        if ((flags & AclWire.XmitOtherObj) != 0) other = await ReadObjAsync(input, ct).ConfigureAwait(false);
        IdAccess[] names = [];
        uint computedMask = 0;
        if ((flags & AclWire.XmitNameList) != 0)
        {
            int count = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            // io.c: read_varint_bounded — RERR_PROTOCOL.
            if (count < 0 || count > AclWire.MaxWireCount)
            {
                throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                    $"wire value ACL count out of range: {count} not in [0,{AclWire.MaxWireCount}]");
            }
            names = new IdAccess[count];
            for (int i = 0; i < count; i++)
            {
                int id = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
                uint word = (uint)await input.ReadVarIntAsync(ct).ConfigureAwait(false);
                uint access = word >> 2;
                if (!FakeSuper && (access & ~7u) != 0)
                    throw RsyncException.Protocol($"recv_acl_access: value out of range: {access:x}");
                if ((word & AclWire.XflagNameIsUser) != 0)
                    access |= IdAccess.NameIsUser;
                if ((word & AclWire.XflagNameFollows) != 0)
                {
                    int len = await input.ReadByteAsync(ct).ConfigureAwait(false);
                    var bytes = new byte[len];
                    await input.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
                    NameArrived?.Invoke((access & IdAccess.NameIsUser) != 0, id, System.Text.Encoding.UTF8.GetString(bytes));
                }
                names[i] = new IdAccess((uint)id, access);
                computedMask |= access;
            }
        }
        // acls.c: recv_rsync_acl — named entries need a mask: an access ACL's is the mode's group bits, a default
        // ACL's the union of the named entries' bits and its group entry's.
        if (names.Length != 0 && mask == RsyncAcl.NoEntry)
        {
            mask = isAccess ? (byte)((mode >> 3) & 7) : (byte)((computedMask | (uint)(group & ~RsyncAcl.NoEntry)) & 0x7F);
        }
        var acl = new RsyncAcl { UserObj = user, GroupObj = group, MaskObj = mask, OtherObj = other, Names = names };
        cache.Add(acl);
        return acl;

        async ValueTask<byte> ReadObjAsync(MultiplexReader r, CancellationToken c)
        {
            uint v = (uint)await r.ReadVarIntAsync(c).ConfigureAwait(false);
            if (!FakeSuper && (v & ~7u) != 0)
                throw RsyncException.Protocol($"recv_acl_access: value out of range: {v:x}");
            return (byte)v;
        }
    }
}
