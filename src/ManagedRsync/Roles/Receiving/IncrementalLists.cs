using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The receiving side of incremental recursion (protocol-notes §25): the sender's file list arrives in parts, the
/// first before anything else (flist.c: recv_file_list, main.c: do_recv reads one more when the first holds a single
/// entry, recv_additional_file_list), every later one announced by an index NDX_FLIST_OFFSET - dir between the file
/// indexes (rsync.c: read_ndx_and_attrs), each holding the entries directly inside one directory of an earlier part,
/// until NDX_FLIST_EOF. The receiver reads the parts (<see cref="ReadAnnouncedAsync"/>), the generator walks them in
/// order and tells the sender when it is done with each (<see cref="Generator.GeneratorRole"/>).
/// </summary>
/// <remarks>
/// Numbering (flist.c: flist_new): the first part starts at index 1, each later one at the previous start + count + 1;
/// the index before a part's start (ndx_start - 1) stands for the part's directory, which the generator settles
/// there (generator.c: generate_files) and the sender may echo. <see cref="ReceiveRun.Files"/> keeps that slot, so an
/// index is a position in it whatever part it belongs to. Directories are numbered in the order they arrive, each
/// part's in sorted order (flist.c: dir_flist, fsort); "dir" of an announcement indexes them.
/// Guards (the CVE-2024-12087 class, stock's own checks in recv_file_list): an announced directory must be one that
/// was listed (not past the end of the directory table), must get one part only, and every entry of the part must
/// lie directly inside it ("ABORTING due to invalid path from sender"); every name also passes the one
/// <see cref="FileListGuard"/> of the run (unrequested names, duplicates across parts, names below a non-directory).
/// A part after the last NDX_DONE of the first phase is refused (recv_file_list: "refusing sub-flist after final
/// flist was freed").
/// </remarks>
internal sealed class IncrementalLists
{
    /// <summary>The placeholder at index 0 when the first part has no "." to stand for (flist.c: parent_ndx -1).</summary>
    private static readonly FileEntry s_noDirectory = new() { Name = "."u8.ToArray(), Mode = FileEntry.S_IFDIR | 0x1ED };

    private readonly ReceiveRun _run;
    private readonly FileListGuard _guard;
    private readonly Lock _gate = new();
    private readonly List<Part> _parts = [];
    private readonly List<int> _directories = [];
    private readonly HashSet<int> _announced = [];
    private int _donesSeen;
    private bool _finished;

    public IncrementalLists(ReceiveRun run, FileListGuard guard)
    {
        _run = run;
        _guard = guard;
    }

    /// <summary>
    /// One part: its first index, how many entries, the index of its directory (-1: none), and whether the guard holds
    /// its non-directory names (<see cref="ReceiveRun.AcceptList"/>).
    /// </summary>
    public readonly record struct Part(int Start, int Count, int Directory, bool GuardHolds = true)
    {
        public int End => Start + Count;
    }

    /// <summary>flist.c: file_total — the entries of all parts so far.</summary>
    public int FileTotal { get; private set; }

    /// <summary>The sender sent NDX_FLIST_EOF: no part follows.</summary>
    public bool Complete { get; private set; }

    /// <summary>How many of the sender's first-phase NDX_DONEs have come (the oldest part still held is this one).</summary>
    public int DonesSeen
    {
        get
        {
            lock (_gate)
                return _donesSeen;
        }
    }

    /// <summary>How many parts have arrived.</summary>
    public int PartCount
    {
        get
        {
            lock (_gate)
                return _parts.Count;
        }
    }

    public Part PartAt(int k)
    {
        lock (_gate)
            return _parts[k];
    }

    /// <summary>The part an index belongs to (its directory's slot included; rsync.c: flist_for_ndx).</summary>
    public int PartOf(int ndx)
    {
        lock (_gate)
            return ListParts.Find(_parts, 0, ndx, static p => p.Start);
    }

    /// <summary>
    /// The first part (main.c: do_recv / client_run: recv_file_list(f_in, -1)), and when it holds one entry the
    /// announcement after it too (recv_additional_file_list), so that get_local_name sees whether a lone directory
    /// has contents.
    /// </summary>
    public async Task ReadFirstAsync(CancellationToken ct)
    {
        // flist.c: flist_new — the first part starts at 1 (hard-link group numbers are counted from it).
        _run.List.ListStart = _run.Files.Count + 1;
        List<FileEntry> first = await _run.List.ReadAsync(ct).ConfigureAwait(false);
        foreach (FileEntry file in first)
        {
            // recv_file_list: the first part's entries lie in no directory ("" is the only dirname allowed); an
            // unsafe name is refused as such first (recv_file_entry).
            FileListGuard.CheckName(file.LocalName, file.IsDirectory);
            if (file.LocalName.Contains('/'))
                throw InvalidPath(file.LocalName);
        }
        bool held = _run.AcceptList(first, _guard, namesChecked: true);
        // flist.c: recv_file_list — the first part stands for "." when it starts with one, else for nothing.
        bool dot = first.Count > 0 && first[0].IsDirectory && first[0].LocalName == ".";
        Append(first, dot ? first[0] : s_noDirectory, dot ? 1 : -1, held);
        if (FileTotal == 1)
        {
            Connection connection = _run.Connection;
            int ndx = await connection.In.ReadNdxAsync(connection.NdxIn, ct).ConfigureAwait(false);
            await ReadAnnouncedAsync(ndx, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Whether <paramref name="ndx"/> is NDX_FLIST_EOF or announces a part (NDX_FLIST_OFFSET - dir).</summary>
    public static bool IsAnnouncement(int ndx) => ndx == Ndx.FlistEof || ndx <= Ndx.FlistOffset;

    /// <summary>
    /// rsync.c: read_ndx_and_attrs for a negative index on an incremental receiver: NDX_FLIST_EOF ends the lists,
    /// NDX_FLIST_OFFSET - dir is followed by the part for directory number dir.
    /// </summary>
    public async Task ReadAnnouncedAsync(int ndx, CancellationToken ct)
    {
        if (ndx == Ndx.FlistEof)
        {
            if (_finished)
                throw RsyncException.Protocol($"Invalid file index: {ndx}");
            if (Complete)
                throw RsyncException.Protocol("a second end of the incremental file lists");
            Complete = true;
            _run.ToGenerator.ListsComplete();
            return;
        }
        if (!IsAnnouncement(ndx))
            throw RsyncException.Protocol($"Invalid file index: {ndx}");
        // rsync.c: read_ndx_and_attrs — the raw index and the range the directory table allows.
        int dir = Ndx.FlistOffset - ndx;
        if (dir < 0 || dir >= _directories.Count)
            throw RsyncException.Protocol($"Invalid dir index: {ndx} ({Ndx.FlistOffset} - {Ndx.FlistOffset - _directories.Count + 1})");
        // flist.c: recv_file_list — after the last NDX_DONE of the first phase every part is gone (first_flist NULL).
        if (_finished)
            throw RsyncException.Protocol("refusing sub-flist after final flist was freed");
        if (Complete)
            throw RsyncException.Protocol("refusing a file list after the last one (NDX_FLIST_EOF)");
        int dirNdx = _directories[dir];
        // flist.c: recv_file_list — a directory the list's cleaning dropped as a duplicate gets no part.
        if (_run.Files[dirNdx].Cleared)
            throw RsyncException.Protocol($"refusing flist for cleared dir_ndx {dir}");
        if (!_announced.Add(dir))
            throw RsyncException.Protocol($"refusing malicious duplicate flist for dir {dir}");
        string dirName = _run.Names[dirNdx];
        // stock never sends a part for "." (flist.c: add_dirs_to_tree leaves it out of the tree it walks).
        if (dirName == ".")
            throw RsyncException.Protocol($"refusing a file list for the transfer root (dir {dir})");

        long start = _run.Connection.In.TotalRead;
        _run.List.ListStart = _run.Files.Count + 1;
        List<FileEntry> part = await _run.List.ReadAsync(ct).ConfigureAwait(false);
        byte[] dirBytes = _run.Files[dirNdx].Name;
        bool siblings = true;
        foreach (FileEntry file in part)
        {
            string name = file.LocalName;
            bool inDirectory = name.Length > dirName.Length + 1 && name.StartsWith(dirName, StringComparison.Ordinal)
                && name[dirName.Length] == '/' && name.IndexOf('/', dirName.Length + 1) < 0;
            // The directory's name passed the check when it was listed: a name directly inside it needs its last
            // component checked and the whole length; any other is checked whole first (flist.c order: the unsafe
            // name's message before "invalid path").
            if (inDirectory)
                FileListGuard.CheckLastName(name, dirName.Length + 1, file.IsDirectory);
            else
                FileListGuard.CheckName(name, file.IsDirectory);
            if (!inDirectory)
                throw InvalidPath(name);
            ReadOnlySpan<byte> bytes = file.Name;
            siblings = siblings && bytes.Length > dirBytes.Length + 1 && bytes[dirBytes.Length] == (byte)'/'
                && bytes.StartsWith(dirBytes) && !bytes[(dirBytes.Length + 1)..].Contains((byte)'/');
        }
        bool guardHolds = _run.AcceptList(part, _guard, namesChecked: true, siblingsAfter: siblings ? dirBytes.Length + 1 : 0);
        Append(part, _run.Files[dirNdx], dirNdx, guardHolds);
        _run.Stats.FileListSize += _run.Connection.In.TotalRead - start;
        _run.ListIoError = _run.List.IoError;
        _run.ToGenerator.NewList();
    }

    /// <summary>
    /// The sender's NDX_DONE in the first phase: it has dropped the oldest part (receiver.c: recv_files, flist_free);
    /// true when that was the last one, which ends the phase.
    /// </summary>
    public bool DoneReceived()
    {
        lock (_gate)
        {
            if (_finished)
                return true;
            _donesSeen++;
            DropFinishedParts();
            if (_donesSeen < _parts.Count)
                return false;
            _finished = true;
            return true;
        }
    }

    /// <summary>
    /// The generator has ended the first <paramref name="count"/> parts (its NDX_DONE for the last of them is about to
    /// go out): none of their entries is used by it again. Called before the NDX_DONE is written, so the sender's
    /// echo always finds it.
    /// </summary>
    public void GeneratorEnded(int count) => Volatile.Write(ref _generatorEnded, count);

    private int _generatorEnded;
    private int _dropped;

    /// <summary>How many parts' entries have been dropped (<see cref="DropFinishedParts"/>).</summary>
    public int DroppedParts => _dropped;

    // receiver.c: recv_files frees first_flist at each NDX_DONE of the first phase (flist_free): a part both sides
    // have ended is dropped here — its entries other than directories (the directory table and the final
    // touch-up of directory times keep those, as stock keeps dir_flist) and their names in the name guard (when it
    // holds them: a part without a name listed twice leaves its non-directories out of it). Later
    // parts cannot name them again (each lies in another directory, and a directory gets one part). A sender that
    // sends NDX_DONE before our generator has ended the part (stock's would not) only delays the drop. Runs on the
    // receiver's thread, the only one that touches the guard.
    private void DropFinishedParts()
    {
        int upTo = Math.Min(Math.Min(_donesSeen, Volatile.Read(ref _generatorEnded)), _parts.Count);
        EntryTable<FileEntry> files = _run.Files;
        EntryTable<string> names = _run.Names;
        if (_dropped >= upTo)
            return;
        for (; _dropped < upTo; _dropped++)
        {
            Part part = _parts[_dropped];
            for (int i = part.Start; i < part.End; i++)
            {
                FileEntry file = files[i];
                if (file is null || file.IsDirectory)
                    continue;
                if (part.GuardHolds && !file.Cleared)
                    _guard.Forget(names[i]);
                files[i] = null!;
                names[i] = null!;
            }
        }
        // Every slot below the last dropped part's end is now a directory (kept) or empty: the pages there can go.
        int end = _parts[upTo - 1].End;
        files.ReleaseBelow(end);
        names.ReleaseBelow(end);
    }

    // The part's slot for its directory, then its entries; its directories join the table in their sorted order.
    private void Append(List<FileEntry> part, FileEntry directory, int directoryNdx, bool guardHolds)
    {
        EntryTable<FileEntry> files = _run.Files;
        EntryTable<string> names = _run.Names;
        lock (_gate)
        {
            files.Add(directory);
            names.Add(directory.LocalName);
            int start = files.Count;
            foreach (FileEntry file in part)
            {
                if (file.IsDirectory)
                    _directories.Add(files.Count);
                files.Add(file);
                names.Add(file.LocalName);
            }
            // The ordered -v/-i log holds the new indexes before the part is published: the generator may walk it as
            // soon as it is counted, and a line for an index the log does not hold would go out at once, ahead of
            // earlier lists' lines.
            _run.Order?.Extend(files.Count);
            _parts.Add(new Part(start, part.Count, directoryNdx, guardHolds));
            FileTotal += part.Count;
        }
    }

    // rsync flist.c: recv_file_list — RERR_UNSUPPORTED (exit 4), as stock ends it.
    private static RsyncException InvalidPath(string name) =>
        new(RsyncErrorKind.UnsafeFileList, $"ABORTING due to invalid path from sender: {name}");
}
