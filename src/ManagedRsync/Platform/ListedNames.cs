using System.Buffers;

namespace ManagedRsync.Platform;

/// <summary>
/// The names one directory listing returned, kept as their bytes, each followed by a NUL, one after another in a
/// pooled buffer: what a sender needs of them (a stat at the directory's descriptor, the name in the list) without a
/// string per name (a listing of a million entries made three or four). Return the buffers with <see cref="Dispose"/>.
/// </summary>
internal sealed class ListedNames : IDisposable
{
    private byte[] _bytes;
    private int[] _starts;
    private int _used;

    public ListedNames()
    {
        _bytes = ArrayPool<byte>.Shared.Rent(4096);
        _starts = ArrayPool<int>.Shared.Rent(128);
    }

    /// <summary>How many names are held.</summary>
    public int Count { get; private set; }

    /// <summary>Takes a copy of <paramref name="name"/> (a name holds no NUL: getdents64 ends it at the first).</summary>
    public void Add(ReadOnlySpan<byte> name)
    {
        if (_used + name.Length + 1 > _bytes.Length)
            _bytes = Grow(_bytes, _used, _used + name.Length + 1);
        if (Count == _starts.Length)
            _starts = Grow(_starts, Count, Count + 1);
        name.CopyTo(_bytes.AsSpan(_used));
        _bytes[_used + name.Length] = 0;
        _starts[Count++] = _used;
        _used += name.Length + 1;
    }

    /// <summary>Name <paramref name="index"/>, without its NUL.</summary>
    public ReadOnlySpan<byte> this[int index] => WithNul(index)[..^1];

    /// <summary>Name <paramref name="index"/> with its NUL, as a system call takes it.</summary>
    public ReadOnlySpan<byte> WithNul(int index)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
        int start = _starts[index];
        int end = index + 1 < Count ? _starts[index + 1] : _used;
        return _bytes.AsSpan(start, end - start);
    }

    public void Dispose()
    {
        if (_used < 0)
            return;
        ArrayPool<byte>.Shared.Return(_bytes);
        ArrayPool<int>.Shared.Return(_starts);
        _bytes = [];
        _starts = [];
        _used = -1;
        Count = 0;
    }

    private static T[] Grow<T>(T[] array, int used, int needed)
    {
        T[] bigger = ArrayPool<T>.Shared.Rent(Math.Max(needed, array.Length * 2));
        array.AsSpan(0, used).CopyTo(bigger);
        ArrayPool<T>.Shared.Return(array);
        return bigger;
    }
}
