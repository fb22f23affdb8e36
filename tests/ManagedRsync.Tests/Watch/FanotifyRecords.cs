using System.Buffers.Binary;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// fanotify records built by hand, laid out as fanotify(7) describes them (fanotify_event_metadata, then
/// fanotify_event_info_fid records with a file_handle and a NUL-terminated name), for the decoder and filter tests.
/// </summary>
internal static class FanotifyRecords
{
    /// <summary>One info record: header, fsid, file_handle (handle_bytes, handle_type, f_handle), name, NUL, pad to 4.</summary>
    public static byte[] Fid(byte type, byte[] handle, string? name, int handleType = 1)
    {
        byte[] n = name is null ? [] : [.. System.Text.Encoding.UTF8.GetBytes(name), 0];
        int len = (4 + 8 + 8 + handle.Length + n.Length + 3) & ~3;
        byte[] r = new byte[len];
        r[0] = type;
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(2), (ushort)len);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(4), 0x1234);
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(12), (uint)handle.Length);
        BinaryPrimitives.WriteInt32LittleEndian(r.AsSpan(16), handleType);
        handle.CopyTo(r, 20);
        n.CopyTo(r, 20 + handle.Length);
        return r;
    }

    /// <summary>One event: fanotify_event_metadata (version 3, fd -1) followed by <paramref name="records"/>.</summary>
    public static byte[] Event(ulong mask, int pid, params byte[][] records)
    {
        int len = 24 + records.Sum(r => r.Length);
        byte[] e = new byte[len];
        BinaryPrimitives.WriteUInt32LittleEndian(e, (uint)len);
        e[4] = 3;
        BinaryPrimitives.WriteUInt16LittleEndian(e.AsSpan(6), 24);
        BinaryPrimitives.WriteUInt64LittleEndian(e.AsSpan(8), mask);
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(16), -1);
        BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(20), pid);
        int at = 24;
        foreach (byte[] r in records)
        {
            r.CopyTo(e, at);
            at += r.Length;
        }
        return e;
    }
}
