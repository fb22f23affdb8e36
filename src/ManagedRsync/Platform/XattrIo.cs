using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace ManagedRsync.Platform;

/// <summary>
/// How an xattr call reaches an entry: a descriptor opened for reading (the f* calls), an O_PATH descriptor (the path
/// calls on /proc/self/fd/N: the f* calls refuse an O_PATH descriptor, EBADF, and the magic link leads to the held
/// inode, as rsync 3.5.0 lib/acl.c's own fallback does), or a sending side's own entry by its path, not followed (the
/// l* calls: a symlink has no descriptor but O_PATH). Only the first two ever write.
/// </summary>
internal readonly struct XattrTarget
{
    private readonly int _fd;
    private readonly string? _path;
    private readonly bool _follow;

    private XattrTarget(int fd, string? path, bool follow)
    {
        _fd = fd;
        _path = path;
        _follow = follow;
    }

    /// <summary>A descriptor opened for reading (a directory or regular file).</summary>
    public static XattrTarget Descriptor(int fd) => new(fd, null, false);

    /// <summary>A descriptor opened with O_PATH (a device, special, or a file that cannot be opened for reading).</summary>
    public static XattrTarget PathDescriptor(int fd) => new(-1, $"/proc/self/fd/{fd}", true);

    /// <summary><see cref="PathDescriptor"/> when <paramref name="pathOnly"/>, else <see cref="Descriptor"/>.</summary>
    public static XattrTarget Held(int fd, bool pathOnly) => pathOnly ? PathDescriptor(fd) : Descriptor(fd);

    /// <summary>A sending side's own entry by its name, never followed (read only).</summary>
    public static XattrTarget OwnPath(string path) => new(-1, path, false);

    internal unsafe nint List(byte* list, nuint size) =>
        _path is null ? Interop.FListXattr(_fd, list, size)
        : _follow ? Interop.ListXattr(_path, list, size) : Interop.LListXattr(_path, list, size);

    internal unsafe nint Get(byte* name, byte* value, nuint size) =>
        _path is null ? Interop.FGetXattr(_fd, name, value, size)
        : _follow ? Interop.GetXattr(_path, name, value, size) : Interop.LGetXattr(_path, name, value, size);

    internal unsafe int Set(byte* name, byte* value, nuint size) =>
        _path is null ? Interop.FSetXattr(_fd, name, value, size, 0)
        : _follow ? Interop.SetXattr(_path, name, value, size, 0) : throw new InvalidOperationException("an entry's own path is never written");

    internal unsafe int Remove(byte* name) =>
        _path is null ? Interop.FRemoveXattr(_fd, name)
        : _follow ? Interop.RemoveXattr(_path, name) : throw new InvalidOperationException("an entry's own path is never written");
}

/// <summary>
/// The one wrapper of listxattr(2), getxattr(2), setxattr(2) and removexattr(2) that -X and -A use (rsync xattrs.c and
/// lib/acl.c), through an <see cref="XattrTarget"/>. Names are the bytes without their NUL (or a string, for the
/// fixed ACL names). Every call returns 0 or the errno; a list where the file system keeps none (ENOTSUP) is empty
/// (xattrs.c: get_xattr_names).
/// </summary>
internal static unsafe class XattrIo
{
    /// <summary>The longest value one call reads (XATTR_SIZE_MAX: the kernel keeps none longer).</summary>
    public const int MaxValue = 65536;

    // The longest name (XATTR_NAME_MAX), and its NUL.
    private const int MaxName = 256;

    /// <summary>The names, in the order the file system lists them; none where the file system has none.</summary>
    public static int ListNames(XattrTarget at, out List<byte[]> names)
    {
        names = [];
        byte[] buffer = new byte[1024];
        while (true)
        {
            nint length;
            fixed (byte* p = buffer)
                length = at.List(p, (nuint)buffer.Length);
            if (length >= 0)
            {
                int start = 0;
                for (int i = 0; i < length; i++)
                {
                    if (buffer[i] != 0)
                        continue;
                    if (i > start)
                        names.Add(buffer[start..i]);
                    start = i + 1;
                }
                return 0;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.EOPNOTSUPP)
                return 0;
            if (errno != Interop.ERANGE)
                return errno;
            // xattrs.c: get_xattr_names — the list grew: ask its size and try again with room to spare.
            nint needed = at.List(null, 0);
            if (needed < 0)
                return Marshal.GetLastPInvokeError();
            buffer = new byte[needed + 1024];
        }
    }

    /// <summary>One value (ENODATA: not there; EOPNOTSUPP: the file system keeps none).</summary>
    public static int Get(XattrTarget at, ReadOnlySpan<byte> name, out byte[] value)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return GetZ(at, Terminated(name, z), out value);
    }

    /// <inheritdoc cref="Get(XattrTarget, ReadOnlySpan{byte}, out byte[])"/>
    public static int Get(XattrTarget at, string name, out byte[] value)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return GetZ(at, Terminated(name, z), out value);
    }

    private static int GetZ(XattrTarget at, ReadOnlySpan<byte> nameZ, out byte[] value)
    {
        value = [];
        if (nameZ.IsEmpty)
            return Interop.ERANGE;
        // Rented: read per entry with -A and -X (and per parent directory without -p), for values of tens of bytes;
        // one call, where asking the size first would cost a second.
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxValue);
        try
        {
            nint n;
            fixed (byte* z = nameZ)
            fixed (byte* v = buffer)
                n = at.Get(z, v, MaxValue);
            if (n < 0)
                return Marshal.GetLastPInvokeError();
            value = buffer.AsSpan(0, (int)n).ToArray();
            return 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>setxattr(2) with flags 0 (create or replace).</summary>
    public static int Set(XattrTarget at, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return SetZ(at, Terminated(name, z), value);
    }

    /// <inheritdoc cref="Set(XattrTarget, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/>
    public static int Set(XattrTarget at, string name, ReadOnlySpan<byte> value)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return SetZ(at, Terminated(name, z), value);
    }

    private static int SetZ(XattrTarget at, ReadOnlySpan<byte> nameZ, ReadOnlySpan<byte> value)
    {
        if (nameZ.IsEmpty)
            return Interop.ERANGE;
        fixed (byte* z = nameZ)
        fixed (byte* v = value)
            return at.Set(z, v, (nuint)value.Length) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>removexattr(2) (ENODATA when there was none).</summary>
    public static int Remove(XattrTarget at, ReadOnlySpan<byte> name)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return RemoveZ(at, Terminated(name, z));
    }

    /// <inheritdoc cref="Remove(XattrTarget, ReadOnlySpan{byte})"/>
    public static int Remove(XattrTarget at, string name)
    {
        Span<byte> z = stackalloc byte[MaxName + 1];
        return RemoveZ(at, Terminated(name, z));
    }

    private static int RemoveZ(XattrTarget at, ReadOnlySpan<byte> nameZ)
    {
        if (nameZ.IsEmpty)
            return Interop.ERANGE;
        fixed (byte* z = nameZ)
            return at.Remove(z) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    // A name with its NUL, in the caller's stack buffer; empty when it cannot be a name (longer than XATTR_NAME_MAX,
    // which the kernel answers with ERANGE).
    private static ReadOnlySpan<byte> Terminated(ReadOnlySpan<byte> name, Span<byte> into)
    {
        if (name.Length > MaxName)
            return default;
        name.CopyTo(into);
        into[name.Length] = 0;
        return into[..(name.Length + 1)];
    }

    private static ReadOnlySpan<byte> Terminated(string name, Span<byte> into)
    {
        if (Encoding.UTF8.GetByteCount(name) > MaxName)
            return default;
        int length = Encoding.UTF8.GetBytes(name, into);
        into[length] = 0;
        return into[..(length + 1)];
    }
}
