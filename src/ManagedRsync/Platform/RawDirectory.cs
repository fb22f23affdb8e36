using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Lists a directory by raw name bytes with open(O_DIRECTORY | O_NOFOLLOW) + getdents64(2): no UTF-8 decoding
/// (names stay exact), no symlink followed (a directory replaced by a symlink fails with ENOTDIR/ELOOP).
/// </summary>
internal static unsafe class RawDirectory
{
    // linux_dirent64 (getdents64(2)): u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[].
    private const int RecLenOffset = Interop.DirentRecLenOffset, TypeOffset = Interop.DirentTypeOffset, NameOffset = Interop.DirentNameOffset;

    /// <summary>
    /// Calls <paramref name="onEntry"/> for each entry except . and .., returning 0, or the errno of open(2) when
    /// the directory cannot be opened (ENOENT gone, EACCES permission denied, ENOTDIR/ELOOP not a directory).
    /// <paramref name="followLink"/>: a symlink to a directory is listed as the directory (the sender's -L, -k and
    /// --copy-unsafe-links, which list what a link leads to: flist.c send_directory's plain opendir).
    /// </summary>
    public static int List(ReadOnlySpan<byte> path, Action<ReadOnlySpan<byte>, EntryType> onEntry, bool followLink = false, int extraFlags = 0)
    {
        int fd = OpenDirectory(path, out int errno, followLink, extraFlags);
        if (fd < 0)
            return errno;
        try
        {
            return ListOpened(fd, onEntry);
        }
        finally
        {
            _ = Interop.Close(fd);
        }
    }

    /// <summary>
    /// Calls <paramref name="onEntry"/> for each entry except . and .. of the directory open at <paramref name="directoryFd"/>,
    /// from its first entry whatever an earlier listing read (the offset is rewound); returns 0 or the errno.
    /// </summary>
    public static int ListFromStart(int directoryFd, Action<ReadOnlySpan<byte>, EntryType> onEntry)
    {
        if (Interop.LSeek(directoryFd, 0, Interop.SEEK_SET) < 0)
            return Marshal.GetLastPInvokeError();
        return ListOpened(directoryFd, onEntry);
    }

    /// <summary>
    /// As <see cref="ListFromStart"/> for a descriptor just opened, which is at its first entry already (one lseek
    /// less per directory).
    /// </summary>
    public static int ListOpened(int directoryFd, Action<ReadOnlySpan<byte>, EntryType> onEntry)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            while (true)
            {
                nint n;
                fixed (byte* b = buffer)
                    n = Interop.GetDents64(directoryFd, b, (nuint)buffer.Length);
                if (n == 0)
                    return 0;
                if (n < 0)
                    return Marshal.GetLastPInvokeError();
                ReadOnlySpan<byte> rest = buffer.AsSpan(0, (int)n);
                while (rest.Length >= NameOffset)
                {
                    int reclen = BinaryPrimitives.ReadUInt16LittleEndian(rest[RecLenOffset..]);
                    if (reclen < NameOffset || reclen > rest.Length)
                        throw new InvalidDataException($"getdents64 record length {reclen} out of range");
                    ReadOnlySpan<byte> name = rest[NameOffset..reclen];
                    int nul = name.IndexOf((byte)0);
                    if (nul >= 0)
                        name = name[..nul];
                    if (!(name.SequenceEqual("."u8) || name.SequenceEqual(".."u8)))
                    {
                        byte t = rest[TypeOffset];
                        var type = t is Interop.DT_DIR or Interop.DT_REG or Interop.DT_LNK or Interop.DT_UNKNOWN
                            ? (EntryType)t : EntryType.Other;
                        onEntry(name, type);
                    }
                    rest = rest[reclen..];
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>True when the path is a directory reached without following a symlink in its last component.</summary>
    public static bool IsDirectory(ReadOnlySpan<byte> path)
    {
        int fd = OpenDirectory(path, out _);
        if (fd < 0)
            return false;
        _ = Interop.Close(fd);
        return true;
    }

    /// <summary>True when an entry of any type (a symlink itself, not its target) exists at the path.</summary>
    public static bool Exists(ReadOnlySpan<byte> path)
    {
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        int fd;
        fixed (byte* p = z)
            fd = Interop.Open(p, Interop.O_PATH | Interop.O_NOFOLLOW | Interop.O_CLOEXEC, 0);
        if (fd < 0)
            return false;
        _ = Interop.Close(fd);
        return true;
    }

    /// <summary>True when the last component is a symlink (readlink succeeds only on symlinks).</summary>
    public static bool IsSymlink(ReadOnlySpan<byte> path)
    {
        byte* target = stackalloc byte[1];
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        fixed (byte* p = z)
            return Interop.ReadLink(p, target, 1) >= 0;
    }

    /// <summary>fsync(2) on a directory, so a rename inside it survives a crash.</summary>
    public static void FSync(ReadOnlySpan<byte> path)
    {
        int fd = OpenDirectory(path, out _);
        if (fd < 0)
            return;
        _ = Interop.FSync(fd);
        _ = Interop.Close(fd);
    }

    /// <summary>
    /// Opens the directory at <paramref name="path"/> for reading (O_DIRECTORY, O_NOFOLLOW unless
    /// <paramref name="followLink"/>, O_CLOEXEC); -1 with <paramref name="errno"/> set when it cannot be opened.
    /// </summary>
    internal static int OpenDirectory(ReadOnlySpan<byte> path, out int errno, bool followLink = false, int extraFlags = 0)
    {
        Span<byte> z = path.Length < 1024 ? stackalloc byte[path.Length + 1] : new byte[path.Length + 1];
        path.CopyTo(z);
        z[path.Length] = 0;
        int fd;
        fixed (byte* p = z)
            fd = Interop.Open(p, Interop.O_RDONLY | Interop.O_DIRECTORY | (followLink ? 0 : Interop.O_NOFOLLOW) | Interop.O_CLOEXEC | extraFlags, 0);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }
}
