using System.Buffers.Binary;

namespace ManagedRsync.Watch;

/// <summary>
/// One <c>struct inotify_event</c> viewed in place: <c>int wd; uint32_t mask; uint32_t cookie; uint32_t len;
/// char name[len];</c> where name is NUL-padded (inotify(7)). <see cref="Name"/> is the raw name bytes without
/// the padding: not necessarily valid UTF-8, and it may contain a newline.
/// </summary>
public readonly ref struct InotifyEvent
{
    internal const int HeaderSize = 16;

    /// <summary>An event with the fields of <c>struct inotify_event</c>.</summary>
    public InotifyEvent(int wd, InotifyMask mask, uint cookie, ReadOnlySpan<byte> name)
    {
        Wd = wd;
        Mask = mask;
        Cookie = cookie;
        Name = name;
    }

    /// <summary>The watch descriptor the event is for.</summary>
    public int Wd { get; }
    /// <summary>What happened (and IN_ISDIR for a directory).</summary>
    public InotifyMask Mask { get; }
    /// <summary>Pairs an IN_MOVED_FROM with its IN_MOVED_TO.</summary>
    public uint Cookie { get; }
    /// <summary>The entry's name inside the watched directory, as raw bytes; empty for the directory itself.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>The entry is a directory (IN_ISDIR).</summary>
    public bool IsDirectory => (Mask & InotifyMask.IN_ISDIR) != 0;
}

/// <summary>
/// Walks the records of one read(2) from an inotify descriptor without allocating. The kernel only returns whole
/// records, so a record that claims to run past the buffer means the buffer is not what read returned; it stops
/// the walk with <see cref="InvalidDataException"/> rather than reading garbage.
/// </summary>
internal ref struct InotifyEventEnumerator
{
    private ReadOnlySpan<byte> _rest;
    private InotifyEvent _current;

    public InotifyEventEnumerator(ReadOnlySpan<byte> buffer)
    {
        _rest = buffer;
        _current = default;
    }

    public readonly InotifyEvent Current => _current;

    public readonly InotifyEventEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_rest.IsEmpty)
            return false;
        if (_rest.Length < InotifyEvent.HeaderSize)
            throw new InvalidDataException($"inotify record header truncated: {_rest.Length} bytes left");
        // The kernel writes the record in host byte order; every Linux target .NET runs on is little-endian.
        int wd = BinaryPrimitives.ReadInt32LittleEndian(_rest);
        uint mask = BinaryPrimitives.ReadUInt32LittleEndian(_rest[4..]);
        uint cookie = BinaryPrimitives.ReadUInt32LittleEndian(_rest[8..]);
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(_rest[12..]);
        if (len > (uint)(_rest.Length - InotifyEvent.HeaderSize))
            throw new InvalidDataException($"inotify record name length {len} exceeds the {_rest.Length - InotifyEvent.HeaderSize} bytes left");
        ReadOnlySpan<byte> name = _rest.Slice(InotifyEvent.HeaderSize, (int)len);
        int nul = name.IndexOf((byte)0);
        if (nul >= 0)
            name = name[..nul];
        _current = new InotifyEvent(wd, (InotifyMask)mask, cookie, name);
        _rest = _rest[(InotifyEvent.HeaderSize + (int)len)..];
        return true;
    }
}
