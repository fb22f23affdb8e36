using System.Buffers.Binary;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// One fanotify event of a group made with FAN_REPORT_DFID_NAME, viewed in place (fanotify(7)):
/// <c>struct fanotify_event_metadata { u32 event_len; u8 vers; u8 reserved; u16 metadata_len; u64 mask; s32 fd;
/// s32 pid; }</c> followed by info records <c>{ u8 info_type; u8 pad; u16 len; }</c>. A DFID_NAME record is
/// <c>fanotify_event_info_fid { header; __kernel_fsid_t fsid; struct file_handle { u32 handle_bytes;
/// s32 handle_type; u8 f_handle[handle_bytes]; }; char name[]; }</c> with a NUL-terminated name, padded to 4 bytes.
/// FAN_RENAME carries an OLD_DFID_NAME and a NEW_DFID_NAME record instead (Linux 5.17).
/// <see cref="Directory"/> (and the old/new ones) is the whole <c>struct file_handle</c>, as open_by_handle_at takes
/// it; names are the raw bytes without the NUL, and "." for an event on the directory itself.
/// </summary>
internal readonly ref struct FanotifyEvent
{
    internal const int MetadataSize = 24;

    public FanotifyEvent(ulong mask, int pid, ReadOnlySpan<byte> directory, ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> oldDirectory, ReadOnlySpan<byte> oldName, ReadOnlySpan<byte> newDirectory, ReadOnlySpan<byte> newName)
    {
        Mask = mask;
        Pid = pid;
        Directory = directory;
        Name = name;
        OldDirectory = oldDirectory;
        OldName = oldName;
        NewDirectory = newDirectory;
        NewName = newName;
    }

    public ulong Mask { get; }

    /// <summary>The process that caused the event (its thread group id; FAN_REPORT_TID is not asked for).</summary>
    public int Pid { get; }

    public ReadOnlySpan<byte> Directory { get; }
    public ReadOnlySpan<byte> Name { get; }
    public ReadOnlySpan<byte> OldDirectory { get; }
    public ReadOnlySpan<byte> OldName { get; }
    public ReadOnlySpan<byte> NewDirectory { get; }
    public ReadOnlySpan<byte> NewName { get; }

    public bool IsDirectory => (Mask & Interop.FAN_ONDIR) != 0;
    public bool IsOverflow => (Mask & Interop.FAN_Q_OVERFLOW) != 0;
    public bool IsRename => (Mask & Interop.FAN_RENAME) != 0;
}

/// <summary>
/// Walks the events of one read(2) from a fanotify descriptor without allocating. Every length is the kernel's word
/// and is checked before use: an event, record, handle or name that claims more bytes than it has, a record shorter
/// than its header, a name without its NUL, or a metadata version other than 3 ends the walk with
/// <see cref="InvalidDataException"/> (the kernel writes only whole events, so this means the buffer is not what
/// read returned). Info records of types this watcher does not use (pidfd, error, range) are skipped by their length.
/// </summary>
internal ref struct FanotifyEventEnumerator
{
    // Offsets in fanotify_event_metadata and in the info records (linux/fanotify.h).
    private const int EventLenOffset = 0, VersOffset = 4, MetadataLenOffset = 6, MaskOffset = 8, PidOffset = 20;
    private const int InfoHeaderSize = 4, InfoLenOffset = 2, FsidSize = 8, FileHandleHeaderSize = 8;
    private const int FidHandleOffset = InfoHeaderSize + FsidSize;

    private ReadOnlySpan<byte> _rest;
    private FanotifyEvent _current;

    public FanotifyEventEnumerator(ReadOnlySpan<byte> buffer)
    {
        _rest = buffer;
        _current = default;
    }

    public readonly FanotifyEvent Current => _current;

    public readonly FanotifyEventEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
            return false;
        if (_rest.Length < FanotifyEvent.MetadataSize)
            throw new InvalidDataException($"fanotify event header truncated: {_rest.Length} bytes left");
        // Host byte order, as with inotify; every Linux target .NET runs on is little-endian.
        uint eventLen = BinaryPrimitives.ReadUInt32LittleEndian(_rest[EventLenOffset..]);
        byte vers = _rest[VersOffset];
        ushort metadataLen = BinaryPrimitives.ReadUInt16LittleEndian(_rest[MetadataLenOffset..]);
        if (vers != Interop.FANOTIFY_METADATA_VERSION)
            throw new InvalidDataException($"fanotify metadata version {vers}, expected {Interop.FANOTIFY_METADATA_VERSION}");
        if (metadataLen < FanotifyEvent.MetadataSize || metadataLen > eventLen)
            throw new InvalidDataException($"fanotify metadata_len {metadataLen} out of range (event_len {eventLen})");
        if (eventLen > (uint)_rest.Length)
            throw new InvalidDataException($"fanotify event_len {eventLen} exceeds the {_rest.Length} bytes left");
        ulong mask = BinaryPrimitives.ReadUInt64LittleEndian(_rest[MaskOffset..]);
        int pid = BinaryPrimitives.ReadInt32LittleEndian(_rest[PidOffset..]);
        ReadOnlySpan<byte> info = _rest[metadataLen..(int)eventLen];
        _rest = _rest[(int)eventLen..];

        ReadOnlySpan<byte> dir = default, name = default, oldDir = default, oldName = default, newDir = default, newName = default;
        while (!info.IsEmpty)
        {
            if (info.Length < InfoHeaderSize)
                throw new InvalidDataException($"fanotify info record header truncated: {info.Length} bytes left");
            byte type = info[0];
            ushort len = BinaryPrimitives.ReadUInt16LittleEndian(info[InfoLenOffset..]);
            if (len < InfoHeaderSize || len > info.Length)
                throw new InvalidDataException($"fanotify info record length {len} out of range ({info.Length} bytes left)");
            ReadOnlySpan<byte> record = info[..len];
            info = info[len..];
            switch (type)
            {
                case Interop.FAN_EVENT_INFO_TYPE_DFID_NAME:
                    ReadFid(record, withName: true, out dir, out name);
                    break;
                case Interop.FAN_EVENT_INFO_TYPE_DFID or Interop.FAN_EVENT_INFO_TYPE_FID:
                    ReadFid(record, withName: false, out dir, out name);
                    break;
                case Interop.FAN_EVENT_INFO_TYPE_OLD_DFID_NAME:
                    ReadFid(record, withName: true, out oldDir, out oldName);
                    break;
                case Interop.FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
                    ReadFid(record, withName: true, out newDir, out newName);
                    break;
            }
        }
        _current = new FanotifyEvent(mask, pid, dir, name, oldDir, oldName, newDir, newName);
        return true;
    }

    /// <summary>
    /// One fanotify_event_info_fid: the struct file_handle (header and f_handle) and, for the *_NAME types, the
    /// NUL-terminated name after it.
    /// </summary>
    private static void ReadFid(ReadOnlySpan<byte> record, bool withName, out ReadOnlySpan<byte> handle, out ReadOnlySpan<byte> name)
    {
        if (record.Length < FidHandleOffset + FileHandleHeaderSize)
            throw new InvalidDataException($"fanotify fid record of {record.Length} bytes is shorter than its fsid and file_handle header");
        ReadOnlySpan<byte> fh = record[FidHandleOffset..];
        uint handleBytes = BinaryPrimitives.ReadUInt32LittleEndian(fh);
        if (handleBytes > Interop.MAX_HANDLE_SZ || handleBytes > (uint)(fh.Length - FileHandleHeaderSize))
            throw new InvalidDataException($"fanotify file handle of {handleBytes} bytes does not fit its {fh.Length - FileHandleHeaderSize}-byte record");
        int handleEnd = FileHandleHeaderSize + (int)handleBytes;
        handle = fh[..handleEnd];
        name = default;
        if (!withName)
            return;
        ReadOnlySpan<byte> tail = fh[handleEnd..];
        int nul = tail.IndexOf((byte)0);
        if (nul < 0)
            throw new InvalidDataException("fanotify name is not NUL-terminated within its record");
        name = tail[..nul];
    }
}
