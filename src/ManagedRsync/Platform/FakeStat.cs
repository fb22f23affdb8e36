using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ManagedRsync.Platform;

/// <summary>
/// What a fake-super side keeps of an entry in its user.rsync.%stat xattr: the full st_mode (type included), the device
/// numbers and the owner and group (rsync xattrs.c: set_stat_xattr writes <c>"%o %u,%u %u:%u"</c>, get_stat_xattr
/// reads it back with <c>sscanf("%o %d,%d %d:%d")</c>; to_wire_mode and from_wire_mode are the identity on Linux).
/// </summary>
internal readonly record struct FakeStat(uint Mode, uint RdevMajor, uint RdevMinor, uint Uid, uint Gid)
{
    /// <summary>The xattr's name (xattrs.c: XSTAT_ATTR, RSYNC_PREFIX "%stat" with the Linux "user." namespace).</summary>
    public const string XattrName = "user.rsync.%stat";

    /// <summary>The text set_stat_xattr stores: <c>"%o %u,%u %u:%u"</c>, no terminating NUL.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Convert.ToString(Mode, 8)} {RdevMajor},{RdevMinor} {Uid}:{Gid}");

    /// <summary>
    /// Reads the xattr of the open <paramref name="fd"/> (xattrs.c: get_stat_xattr; its buffer is 256 bytes, so a
    /// value of 255 bytes or more is ERANGE). Returns 0 with the value, ENODATA or EOPNOTSUPP when there is none (stock's
    /// ENOATTR/ENOTSUP: no fake stat), another errno for a failure; <paramref name="corrupt"/> is the text of a value
    /// that does not parse (stock ends the run: "Corrupt ... xattr attached to ...", RERR_FILEIO).
    /// </summary>
    public static int TryRead(int fd, out FakeStat stat, out string? corrupt)
    {
        stat = default;
        corrupt = null;
        int errno = ReadValue(fd, out byte[] value);
        if (errno != 0)
            return errno;
        ReadOnlySpan<byte> text = value;
        int nul = text.IndexOf((byte)0);
        if (nul >= 0)
            text = text[..nul];
        if (TryParse(text, out stat))
            return 0;
        corrupt = Encoding.Latin1.GetString(text);
        return 0;
    }

    /// <summary>The xattr's value as stored; returns 0 or the errno (ERANGE for 255 bytes or more).</summary>
    public static unsafe int ReadValue(int fd, out byte[] value)
    {
        value = [];
        byte* buffer = stackalloc byte[256];
        nint length = Interop.FGetXattr(fd, XattrName, buffer, 255);
        if (length < 0)
            return Marshal.GetLastPInvokeError();
        if (length >= 255)
            return Interop.ERANGE;
        value = new ReadOnlySpan<byte>(buffer, (int)length).ToArray();
        return 0;
    }

    /// <summary>Sets the xattr on the open <paramref name="fd"/>; returns 0 or the errno.</summary>
    public unsafe int Write(int fd)
    {
        byte[] text = Encoding.ASCII.GetBytes(Format());
        fixed (byte* p = text)
            return Interop.FSetXattr(fd, XattrName, p, (nuint)text.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Removes the xattr from the open <paramref name="fd"/>; returns 0 or the errno.</summary>
    public static int Remove(int fd) =>
        Interop.FRemoveXattr(fd, XattrName) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>
    /// sscanf("%o %d,%d %d:%d") as glibc does it: each conversion skips leading white space and takes an optional sign,
    /// a blank in the format matches any run of white space (none too), ',' and ':' must be there; what follows the
    /// fifth number is ignored. A %d beyond int is taken modulo 2^32, as the uid_t it is stored in.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out FakeStat stat)
    {
        stat = default;
        int at = 0;
        if (!Number(text, ref at, 8, out long mode))
            return false;
        SkipBlanks(text, ref at);
        if (!Number(text, ref at, 10, out long major) || !Literal(text, ref at, (byte)','))
            return false;
        if (!Number(text, ref at, 10, out long minor))
            return false;
        SkipBlanks(text, ref at);
        if (!Number(text, ref at, 10, out long uid) || !Literal(text, ref at, (byte)':'))
            return false;
        if (!Number(text, ref at, 10, out long gid))
            return false;
        stat = new FakeStat((uint)mode, (uint)major, (uint)minor, (uint)uid, (uint)gid);
        return true;
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static void SkipBlanks(ReadOnlySpan<byte> text, ref int at)
    {
        while (at < text.Length && IsBlank(text[at]))
            at++;
    }

    private static bool Literal(ReadOnlySpan<byte> text, ref int at, byte c)
    {
        if (at >= text.Length || text[at] != c)
            return false;
        at++;
        return true;
    }

    private static bool Number(ReadOnlySpan<byte> text, ref int at, int radix, out long value)
    {
        value = 0;
        SkipBlanks(text, ref at);
        bool negative = false;
        if (at < text.Length && text[at] is (byte)'+' or (byte)'-')
        {
            negative = text[at] == (byte)'-';
            at++;
        }
        int start = at;
        while (at < text.Length && text[at] >= (byte)'0' && text[at] < (byte)'0' + radix)
        {
            value = unchecked(value * radix + (text[at] - (byte)'0')) & 0xFFFF_FFFFL;
            at++;
        }
        if (at == start)
            return false;
        if (negative)
            value = -value & 0xFFFF_FFFFL;
        return true;
    }
}
