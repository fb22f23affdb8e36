namespace ManagedRsync.Platform;

/// <summary>
/// A path relative to the watched root, kept as the exact bytes the kernel gave us: Linux names are bytes, and a
/// name that is not valid UTF-8 (or holds a newline) must still be watched, journaled and synced by its own bytes.
/// It holds the one form the whole library carries file names in (internal FileNameEncoding): UTF-8 text, where each
/// byte that is not part of a valid UTF-8 sequence is the lone surrogate U+DC80..U+DCFF. So a path goes to a transfer
/// as it is, and it is a cheap, ordinal dictionary key. The empty path is the root itself.
/// </summary>
public readonly struct RawPath : IEquatable<RawPath>, IComparable<RawPath>
{
    private readonly string? _text;

    private RawPath(string text) => _text = text;

    /// <summary>The root itself (the empty path).</summary>
    public static RawPath Root => default;

    /// <summary>
    /// The path as .NET text: UTF-8 decoded, each byte that is not valid UTF-8 carried as U+DC80 + its value (the
    /// lossless form to store, and the form the transfer API takes names in).
    /// </summary>
    public string Text => _text ?? "";

    /// <summary>This is the root.</summary>
    public bool IsRoot => string.IsNullOrEmpty(_text);

    /// <summary>The length in bytes.</summary>
    public int ByteCount => FileNameEncoding.ByteCount(Text);

    /// <summary>The path with these bytes.</summary>
    public static RawPath FromBytes(ReadOnlySpan<byte> bytes) => new(FileNameEncoding.Decode(bytes));

    /// <summary>
    /// A path given as .NET text: typed by a user, read from a config file, or <see cref="Text"/> of another path
    /// (bytes that are not UTF-8 escaped as there).
    /// </summary>
    public static RawPath FromText(string text) => new(text);

    /// <summary>The path's bytes.</summary>
    public byte[] ToBytes() => FileNameEncoding.Encode(Text);

    /// <summary>Copies the bytes into <paramref name="destination"/> (room for <see cref="ByteCount"/>); returns how many.</summary>
    public int CopyTo(Span<byte> destination) => FileNameEncoding.GetBytes(Text, destination);

    /// <summary>This directory's child <paramref name="name"/>.</summary>
    public RawPath Child(ReadOnlySpan<byte> name) => Child(FromBytes(name));

    /// <summary>The path of <paramref name="name"/> inside this one.</summary>
    public RawPath Child(RawPath name) => IsRoot ? name : new RawPath(string.Concat(Text, "/", name.Text));

    /// <summary>The parent directory (the root for a top-level name).</summary>
    public RawPath Parent
    {
        get
        {
            int slash = Text.LastIndexOf('/');
            return slash < 0 ? Root : new RawPath(Text[..slash]);
        }
    }

    /// <summary>The last component.</summary>
    public RawPath Name
    {
        get
        {
            int slash = Text.LastIndexOf('/');
            return slash < 0 ? this : new RawPath(Text[(slash + 1)..]);
        }
    }

    /// <summary>
    /// The ancestors from the top-level one down, then this path itself ("a", "a/b", "a/b/c" for "a/b/c"); nothing
    /// for the root. ('/' is one byte and one char in both forms, so cutting the text at it cuts the bytes there.)
    /// </summary>
    public IEnumerable<RawPath> SelfAndAncestorsTopDown()
    {
        string text = Text;
        for (int slash = text.IndexOf('/'); slash >= 0; slash = text.IndexOf('/', slash + 1))
            yield return new RawPath(text[..slash]);
        if (text.Length > 0)
            yield return this;
    }

    /// <summary>True when this is <paramref name="ancestor"/> or lies under it.</summary>
    public bool IsUnder(RawPath ancestor) =>
        ancestor.IsRoot
        || Text == ancestor.Text
        || (Text.Length > ancestor.Text.Length && Text[ancestor.Text.Length] == '/'
            && Text.StartsWith(ancestor.Text, StringComparison.Ordinal));

    /// <summary>The same relative position under <paramref name="newPrefix"/> instead of <paramref name="oldPrefix"/>.</summary>
    public RawPath Rebase(RawPath oldPrefix, RawPath newPrefix) =>
        Text == oldPrefix.Text ? newPrefix : newPrefix.Child(new RawPath(Text[(oldPrefix.Text.Length + 1)..]));

    /// <summary>The bytes are valid UTF-8.</summary>
    public bool IsValidUtf8 => !FileNameEncoding.HasEscapes(Text);

    /// <summary>The path as UTF-8 text, or false when its bytes are not valid UTF-8.</summary>
    public bool TryGetUtf8(out string path)
    {
        path = IsValidUtf8 ? Text : "";
        return IsValidUtf8;
    }

    /// <summary>For logs: as rsync prints a name (UTF-8 where valid, other bytes and control characters as \#ooo).</summary>
    public override string ToString() => FileNameEncoding.Display(Text);

    /// <summary>Byte-wise equality.</summary>
    public bool Equals(RawPath other) => string.Equals(Text, other.Text, StringComparison.Ordinal);
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is RawPath p && Equals(p);
    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
    /// <summary>Byte-wise order.</summary>
    public int CompareTo(RawPath other) => FileNameEncoding.CompareBytes(Text, other.Text);
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
