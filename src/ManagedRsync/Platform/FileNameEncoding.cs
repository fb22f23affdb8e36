using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;
using System.Text.Unicode;

namespace ManagedRsync.Platform;

/// <summary>
/// Linux file names are bytes and rsync moves them as bytes (old servers hold Latin-1 and GBK names that are not valid
/// UTF-8). .NET names are strings, so a name that is not valid UTF-8 is carried in a string by escaping each byte that
/// is not part of a valid UTF-8 sequence as the lone surrogate U+DC80..U+DCFF (Python's "surrogateescape", PEP 383),
/// and turned back into its exact bytes for every system call and for the wire. Valid UTF-8 never decodes to a lone
/// surrogate, so the mapping is lossless both ways, and names that are valid UTF-8 are the plain strings they always were.
/// </summary>
internal static class FileNameEncoding
{
    private const char EscapeBase = '\uDC00';

    /// <summary>The name for <paramref name="bytes"/>: plain UTF-8 text, with escapes for the bytes that are not.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
            return Encoding.UTF8.GetString(bytes);
        var text = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int used) == OperationStatus.Done)
            {
                text.Append(rune.ToString());
                bytes = bytes[used..];
            }
            else
            {
                text.Append((char)(EscapeBase + bytes[0]));
                bytes = bytes[1..];
            }
        }
        return text.ToString();
    }

    /// <summary>True when <paramref name="name"/> carries escaped bytes (it came from a name that is not UTF-8).</summary>
    public static bool HasEscapes(ReadOnlySpan<char> name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
                i++;
            else if (IsEscape(c))
                return true;
        }
        return false;
    }

    /// <summary>The exact bytes of <paramref name="name"/>.</summary>
    public static byte[] Encode(string name)
    {
        if (!HasEscapes(name))
            return Encoding.UTF8.GetBytes(name);
        byte[] bytes = new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        return bytes.AsSpan(0, EncodeEscaped(name, bytes)).ToArray();
    }

    /// <summary>How many bytes <paramref name="name"/> has on disk (an escape is one byte).</summary>
    public static int ByteCount(ReadOnlySpan<char> name)
    {
        if (!HasEscapes(name))
            return Encoding.UTF8.GetByteCount(name);
        Span<byte> scratch = name.Length <= 256 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(name.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(name.Length)];
        return EncodeEscaped(name, scratch);
    }

    /// <summary>Writes the exact bytes of <paramref name="name"/> (room for GetMaxByteCount(length)); returns their count.</summary>
    public static int GetBytes(string name, Span<byte> destination) => GetBytes(name.AsSpan(), destination);

    /// <summary>Writes the exact bytes of <paramref name="name"/> (room for GetMaxByteCount(length)); returns their count.</summary>
    public static int GetBytes(ReadOnlySpan<char> name, Span<byte> destination) =>
        HasEscapes(name) ? EncodeEscaped(name, destination) : Encoding.UTF8.GetBytes(name, destination);

    /// <summary>The exact bytes of <paramref name="name"/> followed by a NUL, for a system call.</summary>
    public static byte[] EncodeNullTerminated(string name)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetMaxByteCount(name.Length) + 1];
        int n = GetBytes(name, bytes);
        bytes[n] = 0;
        return n + 1 == bytes.Length ? bytes : bytes.AsSpan(0, n + 1).ToArray();
    }

    /// <summary>
    /// The name as rsync prints one (log.c: filtered_fwrite writes a control byte other than tab, and a byte that is not
    /// printable text, as "\#ooo" in octal): valid UTF-8 prints as itself, control bytes and bytes that are not UTF-8
    /// as octal escapes.
    /// </summary>
    public static string Display(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes) && !HasControlBytes(bytes))
            return Encoding.UTF8.GetString(bytes);
        var text = new StringBuilder(bytes.Length + 16);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out Rune rune, out int used) == OperationStatus.Done && !IsControl(bytes[0]))
            {
                text.Append(rune.ToString());
                bytes = bytes[used..];
            }
            else
            {
                text.Append("\\#").Append(Convert.ToString(bytes[0], 8).PadLeft(3, '0'));
                bytes = bytes[1..];
            }
        }
        return text.ToString();
    }

    private static bool IsControl(byte b) => (b < 0x20 && b != (byte)'\t') || b == 0x7f;

    private static bool HasControlBytes(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (IsControl(b))
                return true;
        }
        return false;
    }

    /// <summary>A name that may carry escapes, as rsync would print its bytes.</summary>
    public static string Display(string name) => Display(Encode(name));

    /// <summary>
    /// Undoes <see cref="Display(ReadOnlySpan{byte})"/> for a writer that wants bytes: the text as UTF-8, with each
    /// "\#ooo" escape of a value from <paramref name="lowest"/> to 0377 as the byte itself. Lower escapes stay as text
    /// (-8 keeps control bytes escaped, log.c: filtered_fwrite); a log file passes 0 and escapes again by its own rule.
    /// </summary>
    public static byte[] DisplayedBytes(string text, byte lowest)
    {
        if (!text.Contains("\\#", StringComparison.Ordinal))
            return Encoding.UTF8.GetBytes(text);
        var bytes = new List<byte>(text.Length + 8);
        int start = 0;
        for (int i = text.IndexOf("\\#", StringComparison.Ordinal); i >= 0;
             i = text.IndexOf("\\#", i + 1, StringComparison.Ordinal))
        {
            if (i < start || !TryOctalEscape(text.AsSpan(i + 2), out int value) || value < lowest)
                continue;
            bytes.AddRange(Encoding.UTF8.GetBytes(text[start..i]));
            bytes.Add((byte)value);
            start = i + 5;
        }
        bytes.AddRange(Encoding.UTF8.GetBytes(text[start..]));
        return [.. bytes];
    }

    // Three octal digits of at most 0377, as Display writes them.
    private static bool TryOctalEscape(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        if (digits.Length < 3 || digits[..3].ContainsAnyExceptInRange('0', '7') || digits[0] > '3')
            return false;
        value = ((digits[0] - '0') << 6) | ((digits[1] - '0') << 3) | (digits[2] - '0');
        return true;
    }

    /// <summary>
    /// The byte-wise (memcmp) order of two names. Below U+D800 the UTF-16 code-unit order is the code-point order,
    /// which is UTF-8's byte order; a surrogate (a pair, or an escaped byte) needs the bytes themselves.
    /// </summary>
    public static int CompareBytes(string a, string b)
    {
        if (!HasSurrogates(a) && !HasSurrogates(b))
            return string.CompareOrdinal(a, b);
        return Encode(a).AsSpan().SequenceCompareTo(Encode(b));
    }

    private static bool HasSurrogates(ReadOnlySpan<char> name) => name.ContainsAnyInRange('\uD800', '\uDFFF');

    private static bool IsEscape(char c) => c is >= '\uDC80' and <= '\uDCFF';

    private static int EncodeEscaped(ReadOnlySpan<char> name, Span<byte> destination)
    {
        int n = 0;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                n += new Rune(c, name[i + 1]).EncodeToUtf8(destination[n..]);
                i++;
            }
            else if (IsEscape(c))
            {
                destination[n++] = (byte)(c - EscapeBase);
            }
            else
            {
                // A lone surrogate that is not an escape cannot come from a file name; UTF-8 writes it as U+FFFD.
                n += (Rune.TryCreate(c, out Rune r) ? r : Rune.ReplacementChar).EncodeToUtf8(destination[n..]);
            }
        }
        return n;
    }

    /// <summary>
    /// Marshals a path argument of a LibraryImport as its exact bytes, NUL-terminated, in place of
    /// StringMarshalling.Utf8 (which would turn an escaped byte into U+FFFD and name another file). Short paths go
    /// through a stack buffer, as the BCL's Utf8StringMarshaller does, so a stat per file allocates nothing.
    /// </summary>
    [CustomMarshaller(typeof(string), MarshalMode.ManagedToUnmanagedIn, typeof(ManagedToUnmanagedIn))]
    internal static unsafe class PathMarshaller
    {
        public ref struct ManagedToUnmanagedIn
        {
            private byte* _native;
            private bool _allocated;

            public static int BufferSize => 0x200;

            public void FromManaged(string? managed, Span<byte> buffer)
            {
                if (managed is null)
                {
                    _native = null;
                    return;
                }
                int max = Encoding.UTF8.GetMaxByteCount(managed.Length) + 1;
                if (max > buffer.Length)
                {
                    buffer = new Span<byte>(NativeMemory.Alloc((nuint)max), max);
                    _allocated = true;
                }
                int n = GetBytes(managed, buffer);
                buffer[n] = 0;
                // The generated code pins nothing here: the buffer is its stackalloc, or native memory.
                _native = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
            }

            public readonly byte* ToUnmanaged() => _native;

            public readonly void Free()
            {
                if (_allocated)
                    NativeMemory.Free(_native);
            }
        }
    }
}
