using System.Buffers;
using System.Security.Cryptography;
using ManagedRsync.Protocol;

namespace ManagedRsync.FileList;

/// <summary>
/// One extended attribute of a file-list entry (rsync xattrs.c: rsync_xa). A value longer than
/// <see cref="Xattrs.MaxFullDatum"/> travels abbreviated: its length and its MD5 (<see cref="Sum"/>), the value itself
/// only when the receiving side asks for it (send_xattr_request / recv_xattr_request).
/// </summary>
internal sealed class XattrItem
{
    /// <summary>The name as this side keeps it (no NUL).</summary>
    public required byte[] Name { get; init; }

    /// <summary>The value's length (the whole value's, also when abbreviated).</summary>
    public required int DatumLength { get; init; }

    /// <summary>The value, when it is short (or, on a receiver, once it arrived); null while abbreviated.</summary>
    public byte[]? Value { get; init; }

    /// <summary>The MD5 of a long value (xattr_sum_len: 16 from protocol 30, compat.c: setup_protocol).</summary>
    public byte[]? Sum { get; init; }

    /// <summary>The item's place (from 1) in the list as the sender sent it: what a request names.</summary>
    public int Num { get; set; }

    public bool IsLong => DatumLength > Xattrs.MaxFullDatum;
}

/// <summary>
/// The facts of rsync 3.5.0's xattrs.c that both sides follow: which names a side lists, how a fake-super side disguises
/// other namespaces under <c>user.rsync.</c>, the abbreviation of long values, and the bounds a received list must keep
/// (rsync.h: MAX_WIRE_XATTR_COUNT, MAX_WIRE_XATTR_NAMELEN, MAX_WIRE_XATTR_DATALEN; xattrs.c: MAX_XATTR_VALUE_BYTES,
/// MAX_XATTR_LIST_BYTES).
/// </summary>
internal static class Xattrs
{
    /// <summary>xattrs.c: MAX_FULL_DATUM — longer values are sent as their checksum.</summary>
    public const int MaxFullDatum = 32;

    /// <summary>xattr_sum_len: MD5 (parse_csum_name(NULL) from protocol 30, which -X requires).</summary>
    public const int SumLength = 16;

    public const int MaxWireCount = 65536;
    public const int MaxWireNameLength = 4096;
    public const int MaxValueBytes = 128 * 1024 * 1024;
    public const long MaxListBytes = 512L * 1024 * 1024;

    public static ReadOnlySpan<byte> UserPrefix => "user."u8;
    public static ReadOnlySpan<byte> SystemPrefix => "system."u8;
    public static ReadOnlySpan<byte> RsyncPrefix => "user.rsync."u8;

    /// <summary>am_root as stock keeps it: 2 (--super), 1 (root), 0 (not root, or --no-super), -1 (fake super).</summary>
    public static int AmRoot(TransferOptions options) => options.Super switch
    {
        SuperMode.Super => 2,
        SuperMode.NoSuper => 0,
        SuperMode.Fake => -1,
        _ => TransferOptions.RunsAsRoot ? 1 : 0,
    };

    // xattrs.c: the rsync.%stat, %aacl and %dacl names a fake-super side keeps for itself.
    private static bool IsFakeSuperOwn(ReadOnlySpan<byte> name) =>
        name.Length > RsyncPrefix.Length && name.StartsWith(RsyncPrefix) && name[RsyncPrefix.Length] == (byte)'%'
        && name[(RsyncPrefix.Length + 1)..] is var suffix
        && (suffix.SequenceEqual("stat"u8) || suffix.SequenceEqual("aacl"u8) || suffix.SequenceEqual("dacl"u8));

    private static bool IsRsyncPercent(ReadOnlySpan<byte> name) =>
        name.Length > RsyncPrefix.Length && name.StartsWith(RsyncPrefix) && name[RsyncPrefix.Length] == (byte)'%';

    /// <summary>
    /// xattrs.c: get_xattr_names' words when the list cannot be read, {0} for the full name (its buffer is 1024 bytes
    /// until a longer list made it grow: not followed here).
    /// </summary>
    public const string ListCall = "get_xattr_names: llistxattr({0},1024)";

    /// <summary>
    /// xattrs.c: rsync_xal_get — whether a side lists <paramref name="name"/>: a sender every namespace but system.*,
    /// a receiving side that is not root (am_root 0) only user.*; the rsync.% names only with -XX on a sender, and
    /// never a fake-super side's own.
    /// </summary>
    /// <remarks>
    /// With xattr filter rules (<paramref name="excluded"/>; exclude.c: saw_xattr_filter) the rules decide instead of
    /// the namespaces.
    /// </remarks>
    public static bool Lists(ReadOnlySpan<byte> name, bool sender, int level, int amRoot, Func<byte[], bool>? excluded = null)
    {
        bool userOnly = !sender && amRoot == 0;
        if (excluded is not null)
        {
            if (excluded(name.ToArray()))
                return false;
        }
        else if (userOnly ? !name.StartsWith(UserPrefix) : name.StartsWith(SystemPrefix))
            return false;
        if (IsRsyncPercent(name) && ((sender && level < 2) || (amRoot < 0 && IsFakeSuperOwn(name))))
            return false;
        return true;
    }

    /// <summary>
    /// xattrs.c: rsync_xal_set — whether a receiving side may remove <paramref name="name"/> the sender did not list:
    /// user.* only unless root; never a fake-super side's user.rsync.%stat.
    /// </summary>
    public static bool Removable(ReadOnlySpan<byte> name, int amRoot, Func<byte[], bool>? excluded = null)
    {
        if (excluded is not null)
        {
            if (excluded(name.ToArray()))
                return false;
        }
        else if (amRoot <= 0 ? !name.StartsWith(UserPrefix) : name.StartsWith(SystemPrefix))
            return false;
        return !(amRoot < 0 && name.SequenceEqual("user.rsync.%stat"u8));
    }

    /// <summary>The item for a value read from disk: short ones whole, long ones as length and MD5.</summary>
    public static XattrItem FromValue(byte[] name, byte[] value) => value.Length > MaxFullDatum
        ? new XattrItem { Name = name, DatumLength = value.Length, Sum = MD5.HashData(value) }
        : new XattrItem { Name = name, DatumLength = value.Length, Value = value };

    /// <summary>
    /// xattrs.c: rsync_xal_get — the names this side lists (<see cref="Lists"/>) with their values, sorted, read
    /// through <paramref name="at"/>. Returns 0 or the errno of the call that
    /// failed, with <paramref name="call"/> naming it as stock's message does ({0}: the name as full_fname gives it).
    /// </summary>
    public static int Read(Platform.XattrTarget at, bool sender, int level, int amRoot, Func<byte[], bool>? excluded, out XattrItem[] items, out string call)
    {
        items = [];
        call = ListCall;
        int err = Platform.XattrIo.ListNames(at, out List<byte[]> names);
        if (err != 0)
            return err;
        var list = new List<XattrItem>(names.Count);
        foreach (byte[] name in names)
        {
            if (!Lists(name, sender, level, amRoot, excluded))
                continue;
            err = Platform.XattrIo.Get(at, name, out byte[] value);
            if (err != 0)
            {
                call = $"get_xattr_data: lgetxattr({{0}},\"{Platform.FileNameEncoding.Display(name).Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal)}\",0)";
                return err;
            }
            list.Add(FromValue(name, value));
        }
        items = Sorted(list);
        return 0;
    }

    /// <summary>strcmp order (rsync_xal_compare_names).</summary>
    public static int CompareNames(XattrItem a, XattrItem b) => a.Name.AsSpan().SequenceCompareTo(b.Name);

    /// <summary>Sorts by name and numbers from 1, as rsync_xal_get leaves a list read from disk.</summary>
    public static XattrItem[] Sorted(List<XattrItem> items)
    {
        items.Sort(CompareNames);
        for (int i = 0; i < items.Count; i++)
            items[i].Num = i + 1;
        return [.. items];
    }

    /// <summary>
    /// xattrs.c: send_xattr (the list's part after the index): each name (a fake-super sender strips
    /// <c>user.rsync.</c> from the names it disguised), the value's length, the name with its NUL, then the value or,
    /// for a long one, its checksum.
    /// </summary>
    public static void WriteLiteral(IBufferWriter<byte> w, XattrItem[] items, int amRoot)
    {
        w.WriteVarInt(items.Length);
        foreach (XattrItem item in items)
        {
            ReadOnlySpan<byte> name = item.Name;
            if (amRoot < 0 && name.Length > RsyncPrefix.Length && name.StartsWith(RsyncPrefix) && name[RsyncPrefix.Length] != (byte)'%')
                name = name[RsyncPrefix.Length..];
            w.WriteVarInt(name.Length + 1);
            w.WriteVarInt(item.DatumLength);
            w.Write(name);
            w.WriteByte(0);
            w.Write(item.IsLong ? item.Sum : item.Value);
        }
    }

    /// <summary>The key two lists are the same under (find_matching_xattr: names, lengths, values or checksums).</summary>
    public static string Key(XattrItem[] items)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> n = stackalloc byte[8];
        foreach (XattrItem item in items)
        {
            BitConverter.TryWriteBytes(n[..4], item.Name.Length);
            BitConverter.TryWriteBytes(n[4..], item.DatumLength);
            hash.AppendData(n);
            hash.AppendData(item.Name);
            hash.AppendData(item.IsLong ? item.Sum! : item.Value!);
        }
        BitConverter.TryWriteBytes(n[..4], items.Length);
        hash.AppendData(n[..4]);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
