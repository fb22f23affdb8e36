using ManagedRsync.FileList;
using ManagedRsync.Protocol;

namespace ManagedRsync.Roles.Sender;

/// <summary>
/// The sender's file lists under incremental recursion (protocol-notes §25): the live parts, oldest first (flist.c:
/// first_flist .. cur_flist), and the table of every directory listed so far with the tree the sender walks to pick
/// the next directory to list (flist.c: dir_flist, add_dirs_to_tree, DIR_PARENT / DIR_FIRST_CHILD /
/// DIR_NEXT_SIBLING). As a list it answers an index with its entry: a part's entries from its start, and the index
/// before the start for the part's directory (sender.c: send_files). A part the generator said it is done with is
/// dropped (flist_free), so only the directories and the parts still in flight stay in memory.
/// </summary>
internal sealed class SentLists : IReadOnlyList<FileEntry>
{
    private readonly List<Part> _parts = [];
    private int _first;
    private int _current;
    private readonly List<Directory> _directories = [];
    private int _next = -1;
    private int _end;
    private int _numbered;

    /// <summary>
    /// One part: its first index, its entries, its directory's place in the table (-1: none), and its number (flist.c:
    /// flist_num, 1 for the first part).
    /// </summary>
    private sealed record Part(int Start, FileEntry[] Files, int Directory, int Number)
    {
        public int End => Start + Files.Length;
    }

    /// <summary>
    /// A listed directory and its place in the tree (-1: none). Its entry goes once its own part is dropped: only the
    /// part's index before its start names it, and the walk needs the links alone.
    /// </summary>
    private sealed class Directory(FileEntry entry, int parent)
    {
        public FileEntry? Entry { get; set; } = entry;
        public int Parent { get; } = parent;
        public int FirstChild { get; set; } = -1;
        public int NextSibling { get; set; } = -1;
    }

    /// <summary>flist.c: file_total — the entries of the live parts.</summary>
    public int FileTotal { get; private set; }

    /// <summary>flist.c: file_old_total — the entries of the parts up to the one the generator last named.</summary>
    public int OldTotal { get; private set; }

    /// <summary>stats.num_files — the entries of every part sent so far.</summary>
    public int Listed { get; private set; }

    /// <summary>flist.c: flist_eof — every part has been sent.</summary>
    public bool Complete { get; private set; }

    /// <summary>Whether any part is still live (flist.c: first_flist != NULL).</summary>
    public bool AnyLive => _first < _parts.Count;

    /// <summary>The index just past the newest part: the bound an index read from the generator must stay under.</summary>
    public int Count => _end;

    /// <summary>The first index of the next part (flist.c: flist_new, the newest part's end + 1).</summary>
    public int NextStart => _end + 1;

    /// <summary>The directory whose entries go in the next part, or null when the tree is walked.</summary>
    public FileEntry? NextDirectory => _next < 0 ? null : _directories[_next].Entry!;

    /// <summary>How many directories of the table still hold their entry (those whose part is not dropped yet).</summary>
    internal int HeldDirectoryEntries => _directories.Count(d => d.Entry is not null);

    /// <summary>The next part's place in the directory table: what NDX_FLIST_OFFSET - dir names.</summary>
    public int NextDirectoryIndex => _next;

    /// <summary>
    /// The first part (flist.c: send_file_list with inc_recurse): it starts at index 1 and stands for "." when it
    /// begins with it; its directories (but ".") are the top of the tree.
    /// </summary>
    public void AddFirst(List<FileEntry> files)
    {
        bool dot = files.Count > 0 && files[0].IsDirectory && files[0].Name is [(byte)'.'];
        AddDirectories(-1, files);
        Add(1, files, dot ? 0 : -1);
        OldTotal = files.Count;
        if (_next < 0)
            Complete = true;
    }

    /// <summary>
    /// The part for <see cref="NextDirectory"/> (flist.c: send_extra_file_list), numbered after the newest part with
    /// one index between them for its directory (flist_new); then moves on in the tree: to the directory's first
    /// subdirectory, else its next sibling, else up to the nearest ancestor with one. True when that was the last.
    /// </summary>
    public bool AddNext(List<FileEntry> files)
    {
        int dir = _next;
        Add(_end + 1, files, dir);
        AddDirectories(dir, files);
        Directory node = _directories[dir];
        if (node.FirstChild >= 0)
        {
            _next = node.FirstChild;
            return false;
        }
        while (node.NextSibling < 0)
        {
            if (node.Parent < 0)
            {
                _next = -1;
                Complete = true;
                return true;
            }
            node = _directories[node.Parent];
        }
        _next = node.NextSibling;
        return false;
    }

    /// <summary>
    /// The entry an index from the generator names, making its part the current one (rsync.c: read_ndx_and_attrs
    /// -> flist_for_ndx, and file_old_total counted up to it).
    /// </summary>
    public FileEntry Resolve(int ndx)
    {
        int k = Find(ndx);
        if (k != _current)
        {
            _current = k;
            OldTotal = 0;
            for (int i = _first; i <= k; i++)
                OldTotal += _parts[i].Files.Length;
        }
        return EntryAt(_parts[k], ndx);
    }

    /// <summary>
    /// The generator's NDX_DONE in the first phase: the oldest part is done with and dropped (sender.c: send_files,
    /// flist_free). True when parts remain, so the NDX_DONE is only echoed; false when that was the last, which ends
    /// the phase.
    /// </summary>
    public bool DropOldest()
    {
        Part oldest = _parts[_first];
        if (oldest.Directory >= 0)
            _directories[oldest.Directory].Entry = null;
        OldTotal -= oldest.Files.Length;
        FileTotal -= oldest.Files.Length;
        _parts[_first] = null!;
        _first++;
        if (_current < _first)
        {
            // flist.c: flist_free moves cur_flist on; sender.c counts the new current part as the old total.
            _current = _first;
            if (_first < _parts.Count)
                OldTotal = _parts[_first].Files.Length;
        }
        if (_first > 64 && _first * 2 > _parts.Count)
        {
            _parts.RemoveRange(0, _first);
            _current -= _first;
            _first = 0;
        }
        return _first < _parts.Count;
    }

    /// <summary>
    /// progress.c: set_current_file_index — an index's place among every entry listed so far (the index less its
    /// part's flist_num).
    /// </summary>
    public int Place(int ndx) => ndx - _parts[Find(ndx)].Number;

    /// <summary>
    /// The place of the current part's last entry (set_current_file_index(NULL, 0) at an NDX_DONE), or null when no
    /// part is live (cur_flist NULL).
    /// </summary>
    public int? CurrentLastPlace =>
        _current >= _first && _current < _parts.Count ? _parts[_current].End - 1 - _parts[_current].Number : null;

    public FileEntry this[int ndx] => EntryAt(_parts[Find(ndx)], ndx);

    public IEnumerator<FileEntry> GetEnumerator()
    {
        for (int i = _first; i < _parts.Count; i++)
        {
            foreach (FileEntry f in _parts[i].Files)
                yield return f;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private void Add(int start, List<FileEntry> files, int directory)
    {
        _numbered++;
        _parts.Add(new Part(start, [.. files], directory, _numbered));
        _end = start + files.Count;
        FileTotal += files.Count;
        Listed += files.Count;
    }

    // flist.c: add_dirs_to_tree — the part's directories join the table in sorted order; all but "." become children
    // of the part's directory (or the top of the tree), linked as siblings in that order.
    private void AddDirectories(int parent, List<FileEntry> files)
    {
        Directory? previous = null;
        foreach (FileEntry f in files)
        {
            if (!f.IsDirectory)
                continue;
            var node = new Directory(f, parent);
            _directories.Add(node);
            if (f.Name is [(byte)'.'])
                continue;
            int index = _directories.Count - 1;
            if (previous is not null)
                previous.NextSibling = index;
            else if (parent >= 0)
                _directories[parent].FirstChild = index;
            else
                _next = index;
            previous = node;
        }
    }

    // rsync.c: flist_for_ndx — a part covers its directory's slot (start - 1) up to its end; "File-list index %d not
    // in %d - %d" (RERR_PROTOCOL) for an index in no live part.
    private int Find(int ndx)
    {
        int lo = ListParts.Find(_parts, _first, ndx, static p => p.Start);
        if (lo >= _parts.Count || ndx < _parts[lo].Start - 1 || ndx >= _parts[lo].End)
        {
            (int first, int last) = _first < _parts.Count ? (_parts[_first].Start - 1, _end - 1) : (0, -1);
            throw RsyncException.Protocol($"File-list index {ndx} not in {first} - {last}");
        }
        return lo;
    }

    // sender.c: send_files — the index before a part's entries is its directory; a part without one has no such entry.
    private FileEntry EntryAt(Part part, int ndx)
    {
        if (ndx >= part.Start)
            return part.Files[ndx - part.Start];
        if (part.Directory < 0)
            throw RsyncException.Protocol($"Invalid file index: {ndx} (the list starting at {part.Start} has no directory)");
        return _directories[part.Directory].Entry!;
    }
}
