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

    /// <summary>The root itself (the empty path).</summary>
    public static RawPath Root => default;

    /// <summary>The path as one-char-per-byte (Latin-1) text; the lossless form to store.</summary>
    public string Latin1 => _bytes ?? "";

    /// <summary>This is the root.</summary>
    public bool IsRoot => string.IsNullOrEmpty(_bytes);

    /// <summary>The length in bytes.</summary>
    public int ByteCount => Latin1.Length;

    /// <summary>The path with these bytes.</summary>
    public static RawPath FromBytes(ReadOnlySpan<byte> bytes) => new(Encoding.Latin1.GetString(bytes));

    /// <summary>The path whose bytes are the chars of <paramref name="latin1"/> (one per byte).</summary>
    public static RawPath FromLatin1(string latin1) => new(latin1);

    /// <summary>A path typed by a user or read from a config file (UTF-8).</summary>
    public static RawPath FromUtf8(string path) => FromBytes(Encoding.UTF8.GetBytes(path));

    /// <summary>The path's bytes.</summary>
    public byte[] ToBytes() => Encoding.Latin1.GetBytes(Latin1);

    /// <summary>Copies the bytes into <paramref name="destination"/>; returns how many.</summary>
    public int CopyTo(Span<byte> destination) => Encoding.Latin1.GetBytes(Latin1, destination);

    /// <summary>This directory's child <paramref name="name"/>.</summary>
    public RawPath Child(ReadOnlySpan<byte> name)
    {
        string n = Encoding.Latin1.GetString(name);
        return IsRoot ? new RawPath(n) : new RawPath(string.Concat(Latin1, "/", n));
    }

    /// <summary>The path of <paramref name="name"/> inside this one.</summary>
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

    /// <summary>The bytes are valid UTF-8.</summary>
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

    /// <summary>Byte-wise equality.</summary>
    public bool Equals(RawPath other) => string.Equals(Latin1, other.Latin1, StringComparison.Ordinal);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RawPath p && Equals(p);
    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Latin1);
    /// <summary>Byte-wise (ordinal) order.</summary>
    public int CompareTo(RawPath other) => string.CompareOrdinal(Latin1, other.Latin1);
    /// <summary>Byte-wise equality.</summary>
    public static bool operator ==(RawPath a, RawPath b) => a.Equals(b);
    /// <summary>Byte-wise inequality.</summary>
    public static bool operator !=(RawPath a, RawPath b) => !a.Equals(b);
    /// <summary>Byte-wise order.</summary>
    public static bool operator <(RawPath a, RawPath b) => a.CompareTo(b) < 0;
    /// <summary>Byte-wise order.</summary>
    public static bool operator >(RawPath a, RawPath b) => a.CompareTo(b) > 0;
    /// <summary>Byte-wise order.</summary>
    public static bool operator <=(RawPath a, RawPath b) => a.CompareTo(b) <= 0;
    /// <summary>Byte-wise order.</summary>
    public static bool operator >=(RawPath a, RawPath b) => a.CompareTo(b) >= 0;
}
