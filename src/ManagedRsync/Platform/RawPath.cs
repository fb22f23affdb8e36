using System.Text;
using System.Text.Unicode;

namespace ManagedRsync.Platform;

/// <summary>
/// A path relative to the watched root, kept as the exact bytes the kernel gave us: Linux names are bytes, and a
/// name that is not valid UTF-8 (or holds a newline) must still be watched, journaled and synced by its own bytes.
/// Stored as a string with one char per byte (Latin-1), which makes it a cheap, ordinal dictionary key.
/// The empty path is the root itself.
/// </summary>
public readonly struct RawPath : IEquatable<RawPath>, IComparable<RawPath>
{
    private readonly string? _bytes;

    private RawPath(string bytes) => _bytes = bytes;

    public static RawPath Root => default;

    /// <summary>The path as one-char-per-byte (Latin-1) text; the lossless form to store.</summary>
    public string Latin1 => _bytes ?? "";

    public bool IsRoot => string.IsNullOrEmpty(_bytes);

    public int ByteCount => Latin1.Length;

    public static RawPath FromBytes(ReadOnlySpan<byte> bytes) => new(Encoding.Latin1.GetString(bytes));

    public static RawPath FromLatin1(string latin1) => new(latin1);

    /// <summary>A path typed by a user or read from a config file (UTF-8).</summary>
    public static RawPath FromUtf8(string path) => FromBytes(Encoding.UTF8.GetBytes(path));

    public byte[] ToBytes() => Encoding.Latin1.GetBytes(Latin1);

    public int CopyTo(Span<byte> destination) => Encoding.Latin1.GetBytes(Latin1, destination);

    /// <summary>This directory's child <paramref name="name"/>.</summary>
    public RawPath Child(ReadOnlySpan<byte> name)
    {
        string n = Encoding.Latin1.GetString(name);
        return IsRoot ? new RawPath(n) : new RawPath(string.Concat(Latin1, "/", n));
    }

    public RawPath Child(RawPath name) => IsRoot ? name : new RawPath(string.Concat(Latin1, "/", name.Latin1));

    /// <summary>The parent directory (the root for a top-level name).</summary>
    public RawPath Parent
    {
        get
        {
            int slash = Latin1.LastIndexOf('/');
            return slash < 0 ? Root : new RawPath(Latin1[..slash]);
        }
    }

    /// <summary>The last component.</summary>
    public RawPath Name
    {
        get
        {
            int slash = Latin1.LastIndexOf('/');
            return slash < 0 ? this : new RawPath(Latin1[(slash + 1)..]);
        }
    }

    /// <summary>True when this is <paramref name="ancestor"/> or lies under it.</summary>
    public bool IsUnder(RawPath ancestor) =>
        ancestor.IsRoot
        || Latin1 == ancestor.Latin1
        || (Latin1.Length > ancestor.Latin1.Length && Latin1[ancestor.Latin1.Length] == '/'
            && Latin1.StartsWith(ancestor.Latin1, StringComparison.Ordinal));

    /// <summary>The same relative position under <paramref name="newPrefix"/> instead of <paramref name="oldPrefix"/>.</summary>
    public RawPath Rebase(RawPath oldPrefix, RawPath newPrefix) =>
        Latin1 == oldPrefix.Latin1 ? newPrefix : newPrefix.Child(new RawPath(Latin1[(oldPrefix.Latin1.Length + 1)..]));

    public bool IsValidUtf8 => Utf8.IsValid(ToBytes());

    /// <summary>The path as UTF-8 text, or false when its bytes are not valid UTF-8.</summary>
    public bool TryGetUtf8(out string path)
    {
        byte[] b = ToBytes();
        if (!Utf8.IsValid(b))
        {
            path = "";
            return false;
        }
        path = Encoding.UTF8.GetString(b);
        return true;
    }

    /// <summary>For logs: UTF-8 where valid, invalid bytes and control characters as \ooo like rsync prints them.</summary>
    public override string ToString()
    {
        byte[] b = ToBytes();
        if (Utf8.IsValid(b) && !Latin1.AsSpan().ContainsAnyInRange('\0', '\x1f'))
            return Encoding.UTF8.GetString(b);
        var sb = new StringBuilder(b.Length + 8);
        foreach (byte c in b)
        {
            if (c < 0x20 || c >= 0x7f || c == '\\')
                sb.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
            else
                sb.Append((char)c);
        }
        return sb.ToString();
    }

    public bool Equals(RawPath other) => string.Equals(Latin1, other.Latin1, StringComparison.Ordinal);
    public override bool Equals(object? obj) => obj is RawPath p && Equals(p);
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Latin1);
    public int CompareTo(RawPath other) => string.CompareOrdinal(Latin1, other.Latin1);
    public static bool operator ==(RawPath a, RawPath b) => a.Equals(b);
    public static bool operator !=(RawPath a, RawPath b) => !a.Equals(b);
    public static bool operator <(RawPath a, RawPath b) => a.CompareTo(b) < 0;
    public static bool operator >(RawPath a, RawPath b) => a.CompareTo(b) > 0;
    public static bool operator <=(RawPath a, RawPath b) => a.CompareTo(b) <= 0;
    public static bool operator >=(RawPath a, RawPath b) => a.CompareTo(b) >= 0;
}
