using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Names and values of an entry's extended attributes, through a descriptor (<c>fd &gt;= 0</c>) or, for a sending
/// side's own symlink, device or special, its path without following it (<c>fd &lt; 0</c>). Names are the bytes
/// without their NUL. Every call returns 0 or the errno; ENOTSUP (no xattrs on this file system) reads as none
/// (rsync xattrs.c: get_xattr_names).
/// </summary>
internal static unsafe class XattrIo
{
    /// <summary>The names, in the order the file system lists them; none where the file system has none.</summary>
    public static int ListNames(int fd, string? path, out List<byte[]> names)
    {
        names = [];
        byte[] buffer = new byte[1024];
        while (true)
        {
            nint length;
            fixed (byte* p = buffer)
                length = fd >= 0 ? Interop.FListXattr(fd, p, (nuint)buffer.Length) : Interop.LListXattr(path!, p, (nuint)buffer.Length);
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
            nint needed = fd >= 0 ? Interop.FListXattr(fd, null, 0) : Interop.LListXattr(path!, null, 0);
            if (needed < 0)
                return Marshal.GetLastPInvokeError();
            buffer = new byte[needed + 1024];
        }
    }

    /// <summary>One value; ENODATA when the name is not there.</summary>
    public static int GetValue(int fd, string? path, byte[] name, out byte[] value)
    {
        value = [];
        byte[] z = Terminated(name);
        fixed (byte* n = z)
        {
            while (true)
            {
                nint size = fd >= 0 ? Interop.FGetXattr(fd, n, null, 0) : Interop.LGetXattr(path!, n, null, 0);
                if (size < 0)
                    return Marshal.GetLastPInvokeError();
                byte[] buffer = new byte[size];
                nint got;
                fixed (byte* v = buffer)
                    got = fd >= 0 ? Interop.FGetXattr(fd, n, v, (nuint)buffer.Length) : Interop.LGetXattr(path!, n, v, (nuint)buffer.Length);
                if (got >= 0)
                {
                    value = got == buffer.Length ? buffer : buffer[..(int)got];
                    return 0;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != Interop.ERANGE)
                    return errno;
            }
        }
    }

    /// <summary>fsetxattr(2) with flags 0 (create or replace).</summary>
    public static int Set(int fd, byte[] name, ReadOnlySpan<byte> value)
    {
        byte[] z = Terminated(name);
        fixed (byte* n = z)
        fixed (byte* v = value)
            return Interop.FSetXattr(fd, n, v, (nuint)value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>fremovexattr(2).</summary>
    public static int Remove(int fd, byte[] name)
    {
        byte[] z = Terminated(name);
        fixed (byte* n = z)
            return Interop.FRemoveXattr(fd, n) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static byte[] Terminated(byte[] name)
    {
        byte[] z = new byte[name.Length + 1];
        name.CopyTo(z, 0);
        return z;
    }
}
