using System.Buffers.Binary;

namespace ManagedRsync;

/// <summary>
/// One named entry of an ACL (rsync acls.c: id_access): a user or group id and its rwx bits; <see cref="NameIsUser"/>
/// in <see cref="Access"/> marks a user.
/// </summary>
internal readonly record struct IdAccess(uint Id, uint Access)
{
    /// <summary>acls.c: NAME_IS_USER, only ever set on a name-list entry.</summary>
    public const uint NameIsUser = 1u << 31;

    public bool IsUser => (Access & NameIsUser) != 0;
}

/// <summary>
/// An ACL as rsync carries it (acls.c: rsync_acl): the four object entries (<see cref="NoEntry"/> when absent, which a
/// sender's condensed access ACL makes of every bit the mode already says) and the named users and groups, in the
/// order the system gave them. Instances are never changed once built: the wire caches share them between entries.
/// </summary>
internal sealed class RsyncAcl : IEquatable<RsyncAcl>
{
    /// <summary>acls.c: NO_ENTRY, the value of an absent object entry.</summary>
    public const byte NoEntry = 0x80;

    public byte UserObj { get; init; } = NoEntry;
    public byte GroupObj { get; init; } = NoEntry;
    public byte MaskObj { get; init; } = NoEntry;
    public byte OtherObj { get; init; } = NoEntry;
    public IdAccess[] Names { get; init; } = [];

    /// <summary>An ACL with no entry at all (acls.c: empty_rsync_acl): a directory without a default ACL.</summary>
    public static RsyncAcl Empty { get; } = new();

    /// <summary>acls.c: rsync_acl_fake_perms — what a file without an ACL has: its mode bits.</summary>
    public static RsyncAcl FromMode(int mode) => new()
    {
        UserObj = (byte)((mode >> 6) & 7), GroupObj = (byte)((mode >> 3) & 7), OtherObj = (byte)(mode & 7),
    };

    /// <summary>
    /// acls.c: rsync_acl_strip_perms — what a sender leaves out of an access ACL because the mode says it: the user
    /// and other entries always; the group entry when there is no mask (then it is the mode's group bits) or when it
    /// equals the mode's group bits; the mask when there are named entries and it equals the mode's group bits.
    /// </summary>
    public RsyncAcl StripPerms(int mode)
    {
        int groupPerms = (mode >> 3) & 7;
        byte group = GroupObj, mask = MaskObj;
        if (mask == NoEntry)
            group = NoEntry;
        else
        {
            if (group == groupPerms)
                group = NoEntry;
            if (Names.Length != 0 && mask == groupPerms)
                mask = NoEntry;
        }
        return new RsyncAcl { GroupObj = group, MaskObj = mask, Names = Names };
    }

    /// <summary>
    /// acls.c: rsync_acl_equal_enough — a receiver's full access ACL (<paramref name="full"/>) against a sender's
    /// condensed one (<paramref name="condensed"/>): equal when both have a mask or neither, the group entry agrees
    /// (a condensed one without it stood for the mode's group bits) where there is a mask, and the named entries are
    /// the same in the same order. The rest is the mode's business.
    /// </summary>
    public static bool EqualEnough(RsyncAcl full, RsyncAcl condensed, int mode)
    {
        if (((full.MaskObj ^ condensed.MaskObj) & NoEntry) != 0)
            return false;
        if (full.MaskObj != NoEntry)
        {
            if (condensed.GroupObj == NoEntry)
            {
                if (full.GroupObj != ((mode >> 3) & 7))
                    return false;
            }
            else if (full.GroupObj != condensed.GroupObj)
                return false;
        }
        return full.Names.AsSpan().SequenceEqual(condensed.Names);
    }

    public bool Equals(RsyncAcl? other) =>
        other is not null && UserObj == other.UserObj && GroupObj == other.GroupObj && MaskObj == other.MaskObj
        && OtherObj == other.OtherObj && Names.AsSpan().SequenceEqual(other.Names);

    public override bool Equals(object? obj) => Equals(obj as RsyncAcl);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(UserObj);
        hash.Add(GroupObj);
        hash.Add(MaskObj);
        hash.Add(OtherObj);
        foreach (IdAccess ida in Names)
            hash.Add(ida);
        return hash.ToHashCode();
    }

    /// <summary>The same ACL with each named entry's id given by <paramref name="map"/> (uidlist.c: match_uid/match_gid).</summary>
    public RsyncAcl MapIds(Func<IdAccess, uint> map)
    {
        if (Names.Length == 0)
            return this;
        var names = new IdAccess[Names.Length];
        for (int i = 0; i < names.Length; i++)
            names[i] = Names[i] with { Id = map(Names[i]) };
        return new RsyncAcl { UserObj = UserObj, GroupObj = GroupObj, MaskObj = MaskObj, OtherObj = OtherObj, Names = names };
    }
}

/// <summary>
/// An entry's ACLs: its access ACL and, for a directory, its default ACL (rsync stat_x acc_acl / def_acl; a file-list
/// entry's F_ACL / F_DIR_DEFACL).
/// </summary>
internal sealed record EntryAcls(RsyncAcl Access, RsyncAcl? Default);

/// <summary>
/// The Linux kernel's ACL xattrs, system.posix_acl_access and system.posix_acl_default (what libacl reads and
/// writes; rsync 3.5.0 lib/acl.c does the same without libacl): a little-endian u32 version 2, then 8-byte entries
/// of u16 tag, u16 perm, u32 id (the id only for named users and groups, else 0xFFFFFFFF), sorted by tag, then id.
/// </summary>
internal static class PosixAclXattr
{
    public const string AccessName = "system.posix_acl_access";
    public const string DefaultName = "system.posix_acl_default";
    public const uint Version = 2;
    public const int HeaderLength = 4;
    public const int EntryLength = 8;

    /// <summary>At most this many entries are read or written (the kernel's own limit is about 8191 in 64 KiB).</summary>
    public const int MaxEntries = 8192;

    public const ushort UserObj = 0x01, User = 0x02, GroupObj = 0x04, Group = 0x08, Mask = 0x10, Other = 0x20;
    private const uint UndefinedId = uint.MaxValue;

    /// <summary>
    /// acls.c: unpack_acl_entries — the four object entries and the named ones (users before groups, each by id, as
    /// the canonical order has them); null when the value is not a version-2 ACL (EINVAL in lib/acl.c).
    /// </summary>
    public static RsyncAcl? Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length < HeaderLength || (value.Length - HeaderLength) % EntryLength != 0
            || BinaryPrimitives.ReadUInt32LittleEndian(value) != Version)
            return null;
        int count = (value.Length - HeaderLength) / EntryLength;
        if (count > MaxEntries)
            return null;
        var entries = new (ushort Tag, ushort Perm, uint Id)[count];
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> e = value.Slice(HeaderLength + i * EntryLength, EntryLength);
            ushort tag = BinaryPrimitives.ReadUInt16LittleEndian(e);
            entries[i] = (tag, BinaryPrimitives.ReadUInt16LittleEndian(e[2..]),
                tag is User or Group ? BinaryPrimitives.ReadUInt32LittleEndian(e[4..]) : UndefinedId);
        }
        Array.Sort(entries, (a, b) => a.Tag != b.Tag ? a.Tag.CompareTo(b.Tag) : a.Id.CompareTo(b.Id));
        byte userObj = RsyncAcl.NoEntry, groupObj = RsyncAcl.NoEntry, mask = RsyncAcl.NoEntry, other = RsyncAcl.NoEntry;
        var names = new List<IdAccess>();
        foreach (var (tag, perm, id) in entries)
        {
            byte access = (byte)(perm & 7);
            switch (tag)
            {
                case UserObj: if (userObj == RsyncAcl.NoEntry) userObj = access; break;
                case GroupObj: if (groupObj == RsyncAcl.NoEntry) groupObj = access; break;
                case Mask: if (mask == RsyncAcl.NoEntry) mask = access; break;
                case Other: if (other == RsyncAcl.NoEntry) other = access; break;
                case User: names.Add(new IdAccess(id, access | IdAccess.NameIsUser)); break;
                case Group: names.Add(new IdAccess(id, access)); break;
            }
        }
        return new RsyncAcl { UserObj = userObj, GroupObj = groupObj, MaskObj = mask, OtherObj = other, Names = [.. names] };
    }

    /// <summary>
    /// acls.c: pack_smb_acl, then change_sacl_perms for an access ACL — the value to write for a received ACL. An
    /// access ACL's user and other entries are <paramref name="mode"/>'s; its group entry too when the sender left it
    /// out; its mask (when it has one) the mode's group bits. A default ACL is written as received (an absent object
    /// entry as 0).
    /// </summary>
    public static byte[] Format(RsyncAcl acl, bool access, int mode)
    {
        var entries = new List<(ushort Tag, ushort Perm, uint Id)>(acl.Names.Length + 4);
        int u = (mode >> 6) & 7, g = (mode >> 3) & 7, o = mode & 7;
        entries.Add((UserObj, (ushort)(access ? u : acl.UserObj & ~RsyncAcl.NoEntry), UndefinedId));
        foreach (IdAccess ida in acl.Names)
            entries.Add((ida.IsUser ? User : Group, (ushort)(ida.Access & 7), ida.Id));
        entries.Add((GroupObj, (ushort)(access && acl.GroupObj == RsyncAcl.NoEntry ? g : acl.GroupObj & ~RsyncAcl.NoEntry), UndefinedId));
        if (acl.MaskObj != RsyncAcl.NoEntry)
            entries.Add((Mask, (ushort)(access ? g : acl.MaskObj), UndefinedId));
        entries.Add((Other, (ushort)(access ? o : acl.OtherObj & ~RsyncAcl.NoEntry), UndefinedId));
        entries.Sort((a, b) => a.Tag != b.Tag ? a.Tag.CompareTo(b.Tag) : a.Id.CompareTo(b.Id));
        var value = new byte[HeaderLength + entries.Count * EntryLength];
        BinaryPrimitives.WriteUInt32LittleEndian(value, Version);
        for (int i = 0; i < entries.Count; i++)
        {
            Span<byte> e = value.AsSpan(HeaderLength + i * EntryLength, EntryLength);
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Perm);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], entries[i].Id);
        }
        return value;
    }
}

/// <summary>
/// Where a fake-super side keeps ACLs (xattrs.c: XACC_ACL_ATTR "user.rsync.%aacl", XDEF_ACL_ATTR "user.rsync.%dacl";
/// acls.c: set_rsync_acl / get_rsync_acl with am_root &lt; 0): four little-endian u32s (user, group, mask, other, each
/// 0x80 when absent) and then, for each named entry, its id and its access word (NAME_IS_USER included), as received.
/// </summary>
internal static class FakeSuperAcl
{
    public const string AccessName = "user.rsync.%aacl";
    public const string DefaultName = "user.rsync.%dacl";

    public static byte[] Format(RsyncAcl acl)
    {
        var value = new byte[16 + acl.Names.Length * 8];
        BinaryPrimitives.WriteUInt32LittleEndian(value, acl.UserObj);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(4), acl.GroupObj);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(8), acl.MaskObj);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(12), acl.OtherObj);
        for (int i = 0; i < acl.Names.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(16 + i * 8), acl.Names[i].Id);
            BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(20 + i * 8), acl.Names[i].Access);
        }
        return value;
    }

    /// <summary>
    /// acls.c: get_rsync_acl with am_root &lt; 0 — absent user, group and other entries are the mode's; a length that
    /// is not 16 + 8n is a failure (null; stock then reads the entry as having no ACL data and reports nothing).
    /// </summary>
    public static RsyncAcl? Parse(ReadOnlySpan<byte> value, int mode)
    {
        if (value.Length < 16 || (value.Length - 16) % 8 != 0)
            return null;
        static byte Obj(uint v, int fromMode) => v == RsyncAcl.NoEntry ? (byte)fromMode : (byte)v;
        int count = (value.Length - 16) / 8;
        var names = new IdAccess[count];
        for (int i = 0; i < count; i++)
            names[i] = new IdAccess(BinaryPrimitives.ReadUInt32LittleEndian(value[(16 + i * 8)..]),
                BinaryPrimitives.ReadUInt32LittleEndian(value[(20 + i * 8)..]));
        return new RsyncAcl
        {
            UserObj = Obj(BinaryPrimitives.ReadUInt32LittleEndian(value), (mode >> 6) & 7),
            GroupObj = Obj(BinaryPrimitives.ReadUInt32LittleEndian(value[4..]), (mode >> 3) & 7),
            MaskObj = (byte)BinaryPrimitives.ReadUInt32LittleEndian(value[8..]),
            OtherObj = Obj(BinaryPrimitives.ReadUInt32LittleEndian(value[12..]), mode & 7), Names = names,
        };
    }
}
