namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The receiving side's file list by index (<see cref="ReceiveRun.Files"/>, <see cref="ReceiveRun.Names"/>), kept in
/// pages of <see cref="PageSize"/> slots so that what finished parts held can go (protocol-notes §74): a
/// <see cref="List{T}"/> is one array as long as the whole tree (8 MiB of references per million entries, each
/// doubling leaving the old array on the large-object heap until a full collection), although with incremental
/// recursion only the parts in flight and the directories are needed (receiver.c: recv_files flist_frees each
/// finished list; dir_flist stays). <see cref="ReleaseBelow"/> lets the pages below an index go, moving what is
/// still set in them (the directories) to a side table.
/// </summary>
/// <remarks>
/// One writer (the receiver's thread, which appends and releases) and readers on other threads (the generator) that
/// only read indexes already published, as with the list this replaces: a page's array is never changed by its
/// release (a reader that still holds it reads what it held), the side table is filled before the page is dropped,
/// and it is read and written under a lock (only directories of released pages are looked up there).
/// </remarks>
internal sealed class EntryTable<T> : IReadOnlyList<T>
    where T : class
{
    /// <summary>Slots per page: 1,024 references, 8 KiB, well below the large-object heap's 85,000 bytes.</summary>
    public const int PageSize = 1 << PageBits;

    private const int PageBits = 10;
    private const int PageMask = PageSize - 1;

    private T?[]?[] _pages = new T?[]?[4];
    private int _count;
    private int _released;
    private readonly Dictionary<int, T> _kept = [];

    public EntryTable()
    {
    }

    public EntryTable(IEnumerable<T> items)
    {
        foreach (T item in items)
            Add(item);
    }

    /// <summary>The slots so far (released ones included): the next index <see cref="Add"/> fills.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many pages have been released (their set slots moved to the side table).</summary>
    public int ReleasedPages => _released;

    /// <summary>How many entries the side table holds.</summary>
    public int KeptCount
    {
        get
        {
            lock (_kept)
                return _kept.Count;
        }
    }

    /// <summary>The entry at <paramref name="index"/>; null (as the list this replaces held) for a slot cleared or released.</summary>
    public T this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"past the table's {Count} slots");
            if (Volatile.Read(ref _pages)[index >> PageBits] is { } page)
                return page[index & PageMask]!;
            lock (_kept)
                return _kept.TryGetValue(index, out T? kept) ? kept : null!;
        }
        set
        {
            if ((uint)index >= (uint)_count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"past the table's {_count} slots");
            if (_pages[index >> PageBits] is { } page)
            {
                page[index & PageMask] = value;
                return;
            }
            lock (_kept)
            {
                if (value is null)
                    _kept.Remove(index);
                else
                    _kept[index] = value;
            }
        }
    }

    public void Add(T item)
    {
        int index = _count;
        int p = index >> PageBits;
        if (p == _pages.Length)
        {
            // The array of pages grows by copying; readers of the old one still find every published page in it.
            var grown = new T?[]?[_pages.Length * 2];
            Array.Copy(_pages, grown, _pages.Length);
            Volatile.Write(ref _pages, grown);
        }
        T?[] page = _pages[p] ??= new T?[PageSize];
        page[index & PageMask] = item;
        Volatile.Write(ref _count, index + 1);
    }

    /// <summary>
    /// Drops every page wholly below <paramref name="end"/>; the slots still set in them stay readable (and settable)
    /// through the side table, the others read as null.
    /// </summary>
    public void ReleaseBelow(int end)
    {
        int upTo = Math.Min(end, _count) >> PageBits;
        for (; _released < upTo; _released++)
        {
            if (_pages[_released] is not { } page)
                continue;
            lock (_kept)
            {
                for (int i = 0; i < PageSize; i++)
                {
                    if (page[i] is { } item)
                        _kept[(_released << PageBits) + i] = item;
                }
            }
            _pages[_released] = null;
        }
    }

    public IEnumerator<T> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
