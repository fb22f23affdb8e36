using System.Runtime.InteropServices;
using System.Collections.Concurrent;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// What the generator and the receiver of one receiving run share. Stock rsync forks them after the file list has
/// arrived (main.c: do_recv), so both hold the same sorted list, and the only thing that flows between them is the
/// receiver's messages to the generator over a pipe (receiver.c: MSG_REDO, MSG_DONE at each phase end, io.c:
/// send_msg_int); everything else each learns from the sender's echo. In one process the list, the destination
/// directory, the counts and the log are this one object instead of two copies; the pipe is
/// <see cref="ToGenerator"/>; and the generator's outstanding requests (<see cref="Pending"/>: the sum header it
/// sent and what lstat found) let the receiver check the sender's echo and skip a second stat. The generator is the
/// only writer of the connection's output for the whole run (stock: only the generator writes to the sender), the
/// receiver the only reader of its input.
/// </summary>
internal sealed partial class ReceiveRun
{
    private LocalIds _ids = null!;
    private int _sawErrors;

    public ReceiveRun(Connection connection, ReceiveTarget target, TransferOptions options, ITransferLog log)
    {
        Connection = connection;
        Target = target;
        Options = options;
        Log = log;
        Backups = new Backups(this);
        _clientReports = ItemLog.IsReporting(options);
    }

    // ItemLog.IsReporting, worked out once (the options do not change during the run): see LogItem.
    private readonly bool _clientReports;

    public Connection Connection { get; }

    /// <summary>rsync's local_server: the sender is this process's own (a local copy).</summary>
    public bool LocalServer { get; init; }

    public ReceiveTarget Target { get; }

    public TransferOptions Options { get; }

    /// <summary>Where lines go: the caller's log on a client, the client (MSG_INFO...) on a server.</summary>
    public ITransferLog Log { get; set; }

    public TransferStats Stats { get; } = new();

    public int Protocol => Connection.Protocol;

    /// <summary>rsync's am_server: the client prints the lines, this side reports them over the connection.</summary>
    public bool IsServer => Connection.IsServer;

    /// <summary>The transfer checksum both sides settled (checksum.c: xfer_sum).</summary>
    public ChecksumVariant Checksum { get; set; }

    /// <summary>
    /// The --checksum (-c) sums' kind (checksum.c: file_sum_nni): the second name of --checksum-choice=A,B, else the
    /// transfer's; the file list carries them at its length (flist.c: flist_csum_len).
    /// </summary>
    public ChecksumVariant ListChecksum { get; set; }

    /// <summary>The token codec of the data the sender sends.</summary>
    public TokenCodec Codec { get; set; }

    /// <summary>
    /// The file list, sorted (flist.c: flist_sort_and_clean); every ndx is an index into it. With incremental
    /// recursion the parts are appended as they arrive (by the receiver, while the generator reads what it was told
    /// of: only ever appended, so an index once published stays valid), each after the slot stock numbers
    /// ndx_start - 1, which holds the part's directory (<see cref="IncrementalLists"/>); the pages of parts both sides
    /// have finished are released, and their entries but the directories read as null.
    /// </summary>
    public EntryTable<FileEntry> Files { get; set; } = new();

    /// <summary>The local name of each entry of <see cref="Files"/>.</summary>
    public EntryTable<string> Names { get; set; } = new();

    /// <summary>The incremental file lists (compat.c: inc_recurse); null when the whole list came first.</summary>
    public IncrementalLists? Lists { get; set; }

    /// <summary>How many entries the sender listed (flist.c: file_total), without incremental recursion's slots.</summary>
    public int FileTotal => Lists?.FileTotal ?? Files.Count;

    /// <summary>The first entry the sender listed (main.c: get_local_name looks at it), or null.</summary>
    public FileEntry? FirstFile => FileTotal == 0 ? null : Files[Lists is null ? 0 : 1];

    /// <summary>The receiver side's rules: they protect local names from --delete (exclude.c, receiver side).</summary>
    public FilterList? Filters { get; set; }

    /// <summary>The list's reader: the sender's id names and hard-link groups.</summary>
    public FileListReader List { get; set; } = null!;

    /// <summary>rsync main.c: get_local_name — a lone file stored under the destination's name.</summary>
    public string? SingleFileName { get; set; }

    /// <summary>
    /// The one partial directory an absolute --partial-dir names, relative to the destination (a receiving daemon's,
    /// placed beneath its module); null for a relative one, beside each file (<see cref="PartialDirs"/>).
    /// </summary>
    public string? FixedPartialDir { get; set; }

    /// <summary>An absolute --partial-dir of a receiving client, outside the destination or not; null otherwise.</summary>
    public OperatorPartialDir? OperatorPartialDir { get; set; }

    /// <summary>The destination; null for a dry run whose destination does not exist, or a listing.</summary>
    public ConfinedDirectory? Destination { get; set; }

    /// <summary>--temp-dir, opened.</summary>
    public ConfinedDirectory? TempDirectory { get; set; }

    /// <summary>-b: what is replaced or deleted is kept (beside it, or in --backup-dir).</summary>
    public Backups Backups { get; }

    /// <summary>--compare-dest / --copy-dest / --link-dest, opened; null without them.</summary>
    public BasisDirectories? BasisDirectories { get; set; }

    /// <summary>get_local_name made the destination directory (its "." is then new).</summary>
    public bool RootCreated { get; set; }

    /// <summary>A client's -v lines in file-list order; null on a server or without -v/-i.</summary>
    public OrderedLog? Order { get; set; }

    /// <summary>The io_error the sender reported at the end of its list: the list may be incomplete.</summary>
    public int ListIoError { get; set; }

    /// <summary>--read-batch: what the generator asks of the batch (rsync main.c: batch_gen_fd); null otherwise.</summary>
    public BatchWants? Batch { get; set; }

    /// <summary>What the generator asked for and has not received yet, by ndx.</summary>
    public ConcurrentDictionary<int, PendingFile> Pending { get; } = new();

    /// <summary>The receiver's messages to the generator (stock's pipe between the two processes).</summary>
    public ReceiverMessages ToGenerator { get; } = new();

    /// <summary>A file failed, or the sender could not send one: the run ends as a partial transfer (exit 23).</summary>
    public bool SawErrors => Volatile.Read(ref _sawErrors) != 0;

    /// <summary>--max-delete stopped the deletions (generator.c: IOERR_DEL_LIMIT): exit 25 unless the run is partial.</summary>
    public bool DeletionLimitReached { get; set; }

    /// <summary>rsync receiver.c / sender.c: max_phase.</summary>
    public int MaxPhase => Protocol >= 29 ? 2 : 1;

    /// <summary>The local name of entry <paramref name="ndx"/> (a lone file may be renamed by the destination).</summary>
    public string NameOf(int ndx) => SingleFileName ?? Names[ndx];

    public void MarkErrors() => Volatile.Write(ref _sawErrors, 1);

    /// <summary>
    /// rsync flist.c: recv_file_entry's checks, then flist_sort_and_clean, for a list or one part of it: every name
    /// through <paramref name="guard"/> (one guard for all parts), symlink targets checked, the entries sorted (the
    /// ndx the generator sends is the index in this order) and counted.
    /// </summary>
    /// <param name="files">The list or part, as it arrived.</param>
    /// <param name="guard">The run's guard.</param>
    /// <param name="namesChecked">Every name has been through <see cref="FileListGuard.CheckName"/> already (an
    /// incremental part's are, before the check that they lie in its directory).</param>
    /// <param name="siblingsAfter">
    /// Every name is one directory's name (this many bytes with its '/') and a last name without '/' (an incremental
    /// part): the sort compares the last names alone (<see cref="SiblingNameOrder"/>, the same order); 0 when not so.
    /// </param>
    /// <returns>
    /// Whether <paramref name="guard"/> holds the list's non-directory names (to be forgotten when the part is
    /// dropped): not for an incremental part without a name listed twice, whose non-directories the guard need not
    /// hold (<see cref="FileListGuard.Accept"/>'s <c>soleList</c>).
    /// </returns>
    public bool AcceptList(List<FileEntry> files, FileListGuard guard, bool namesChecked = false, int siblingsAfter = 0)
    {
        if (siblingsAfter > 0)
        {
            // An incremental part's entries all lie directly in its directory, which gets no other part: a name of it
            // can be listed again only within it. The part is sorted first (the comparison has no effects) and, when
            // no name is in it twice, its names go through the guard in their arrival order as before, without the
            // guard holding the non-directories (protocol-notes §88). Else it is handled as any list.
            FileEntry[] arrival = [.. files];
            var sibling = new SiblingNameOrder(siblingsAfter, Protocol);
            Span<FileEntry> sorted = CollectionsMarshal.AsSpan(files);
            sorted.Sort(sibling);
            if (!HasNameTwice(sorted, sibling))
            {
                foreach (FileEntry file in arrival)
                    AcceptEntry(file, guard, namesChecked, soleList: true);
                // A directory's name held from an earlier list (none can be: a later part's names lie in its own
                // directory) would be refused as the other path refuses it (ClearDuplicates).
                if (guard.TakeDuplicates() is [var stray, ..])
                    throw RsyncException.Protocol($"duplicate file-list name: {stray}");
                Count(files);
                return false;
            }
            files.Clear();
            files.AddRange(arrival);
        }
        foreach (FileEntry file in files)
            AcceptEntry(file, guard, namesChecked, soleList: false);
        var order = new FileNameOrder(Protocol);
        if (guard.TakeDuplicates() is { } duplicates)
        {
            // fsort is a merge sort: of two equal names the one listed first stays first, and is the one kept.
            FileEntry[] sorted = [.. files.OrderBy(f => f, order)];
            files.Clear();
            files.AddRange(sorted);
            ClearDuplicates(files, duplicates);
        }
        else if (siblingsAfter > 0)
        {
            CollectionsMarshal.AsSpan(files).Sort(new SiblingNameOrder(siblingsAfter, Protocol));
        }
        else
        {
            files.Sort(order);
        }
        Count(files);
        return true;
    }

    private void AcceptEntry(FileEntry file, FileListGuard guard, bool namesChecked, bool soleList)
    {
        guard.Accept(file.LocalName, file.IsDirectory, namesChecked, soleList);
        // flist.c: recv_file_entry — a parent that was not itself asked for is never a content directory, so a
        // hostile sender flagging it as one cannot widen --delete to its siblings (the transfer root included).
        if (file.IsDirectory && guard.IsImpliedParentOnly(file.LocalName))
        {
            file.IsTopDir = true;
            file.IsNoContentDir = true;
        }
        if (file.IsSymlink && file.LinkTarget is { } target)
        {
            FileListGuard.CheckSymlinkTarget(file.DisplayName, FileNameEncoding.Decode(target));
            // A daemon module munges or sanitizes what it stores (in list order, as flist.c reads it).
            if (Target.LinkTargets is { } map)
                file.LinkTarget = map(file.Name, target);
        }
    }

    private void Count(List<FileEntry> files)
    {
        foreach (FileEntry file in files)
        {
            if (file.IsRegular || file.IsSymlink)
                Stats.TotalSize += file.Size;
        }
        Stats.NumFiles += files.Count;
    }

    // Whether a name is in the sorted part twice: two non-directories or two directories of one name sort next to
    // each other (they compare equal); a directory and a non-directory of one name need not (a directory sorts as its
    // name with '/'), so each directory's name is looked for among the non-directories.
    private static bool HasNameTwice(ReadOnlySpan<FileEntry> sorted, SiblingNameOrder order)
    {
        for (int i = 1; i < sorted.Length; i++)
        {
            if (order.Compare(sorted[i - 1], sorted[i]) == 0)
                return true;
        }
        foreach (FileEntry file in sorted)
        {
            if (file.IsDirectory && sorted.BinarySearch(new FileEntry { Name = file.Name, Mode = FileEntry.S_IFREG }, order) >= 0)
                return true;
        }
        return false;
    }

    /// <summary>
    /// rsync flist.c: flist_sort_and_clean on a receiver — of a name listed twice in one (sorted) list, a directory is
    /// kept over a non-directory (it may have contents in the list), else the first; the other is cleared
    /// (<see cref="FileEntry.Cleared"/>), and a kept directory takes the dropped one's top-dir and content flags.
    /// A name whose first copy came in an earlier part is no duplicate to stock (each part is cleaned alone), but
    /// both would be acted on; it is refused here.
    /// </summary>
    private static void ClearDuplicates(List<FileEntry> files, List<string> duplicates)
    {
        var names = new HashSet<string>(duplicates, StringComparer.Ordinal);
        var kept = new Dictionary<string, int>(StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            FileEntry file = files[i];
            string name = file.LocalName;
            if (!names.Contains(name))
                continue;
            if (!kept.TryGetValue(name, out int j))
            {
                kept[name] = i;
                continue;
            }
            found.Add(name);
            FileEntry prior = files[j];
            if (file.IsDirectory && !prior.IsDirectory)
            {
                prior.Cleared = true;
                kept[name] = i;
                continue;
            }
            if (file.IsDirectory)
            {
                prior.IsTopDir |= file.IsTopDir;
                prior.IsNoContentDir &= file.IsNoContentDir;
            }
            file.Cleared = true;
        }
        foreach (string name in duplicates)
        {
            if (!found.Contains(name))
                throw RsyncException.Protocol($"duplicate file-list name: {name}");
        }
    }

    // rsync.c: dest_mode's dflt_perms — the sender's mode less the umask, or less what the parent's default ACL
    // withholds (acls.c: default_perms_for_dir, read again when the parent changes, as generator.c and receiver.c do).
    private uint DefaultPermissionsFor(FileEntry file)
    {
        uint umask = 0x1FF & ~(uint)ProcessUmask.Value;
        if (Destination is not { } destination)
            return umask;
        string name = file.LocalName;
        int slash = name.LastIndexOf('/');
        string parent = slash < 0 ? "" : name[..slash];
        if (_defaultPermissions is { } last && last.Directory == parent)
            return last.Permissions;
        uint permissions = destination.DefaultPermissionsIn(parent, umask);
        _defaultPermissions = new DirectoryPermissions(parent, permissions);
        return permissions;
    }

    private sealed record DirectoryPermissions(string Directory, uint Permissions);

    // The last parent's (one reference, replaced whole: the generator and the receiver may ask at once).
    private DirectoryPermissions? _defaultPermissions;

    /// <summary>
    /// The attributes the sender's entry asks for (rsync rsync.c: set_file_attrs, dest_mode): the mode with -p (else a
    /// new entry gets the sender's mode less the umask or its parent's default ACL, and with -E an <paramref name="existing"/> regular file its
    /// own permissions with the sender's executability), owner and group when root, the time with -t (a
    /// directory's not under -O, a symlink's not under -J).
    /// </summary>
    public EntryAttributes AttributesFor(FileEntry file, bool isNew, EntryStatus? existing = null)
    {
        uint? permissions = Options.Perms ? (uint)file.Mode & 0xFFF
            : isNew ? (uint)file.Mode & 0x1FF & DefaultPermissionsFor(file) /* rsync.c: dest_mode */
            : ExecutabilityFor(file, existing);
        // rsync.c: set_file_attrs — a daemon module's incoming chmod tweaks the mode the entry ends with; without -p an
        // existing entry's own mode, which SetAttributes reads (EntryAttributes.ModuleChmod).
        ChmodRules? moduleChmod = file.IsSymlink ? null : Options.ModuleChmod;
        if (moduleChmod is not null && (permissions ?? existing?.Permissions) is { } settled)
        {
            permissions = (uint)moduleChmod.Apply((file.Mode & ~0xFFF) | (int)settled) & 0xFFF;
            moduleChmod = null;
        }
        // uidlist.c: recv_id_list — ids are mapped unless --numeric-ids without a map.
        bool numeric = Options.NumericIds || Options.NumericIdsHere;
        uint? uid = Options.Owner && IsRoot
            ? (uint)(numeric && Options.UserMap is null ? file.Uid : _ids.MapUser(file.Uid, SenderName(file.Uid, List.UserNames, numeric))) : null;
        uint? gid = Options.Group && IsRoot
            ? (uint)(numeric && Options.GroupMap is null ? file.Gid : _ids.MapGroup(file.Gid, SenderName(file.Gid, List.GroupNames, numeric))) : null;
        long? mtime = Options.KeepsTime(file.IsDirectory, file.IsSymlink) ? file.ModTime : null;
        return new EntryAttributes(permissions, mtime, (uint)file.ModTimeNsec, uid, gid)
        {
            ModuleChmod = moduleChmod,
            Acls = WantedAcls(file),
            EntryMode = (uint)file.Mode,
            RdevMajor = (uint)file.RdevMajor,
            RdevMinor = (uint)file.RdevMinor,
            // rsync.c: set_file_attrs — -U sets the sender's access time on all but a directory (ATTRS_SKIP_ATIME),
            // not on a symlink with -J (omit_link_times skips every time).
            AtimeSeconds = Options.Atimes && !file.IsDirectory && !(file.IsSymlink && Options.OmitLinkTimes) ? file.AccessTime : null,
        };
    }

    /// <summary>
    /// --usermap, --groupmap and --chown, read as the receiving side starts (flist.c: recv_file_list calls
    /// parse_name_map before the first list).
    /// </summary>
    /// <exception cref="RsyncException">A malformed map (exit 1).</exception>
    public void ReadIdMaps() => _ids ??= new LocalIds(Options.UserMap, Options.GroupMap, Log, Options.AccountNames);

    /// <summary>
    /// uidlist.c: recv_user_name / recv_group_name — stock maps each name as it arrives (recv_add_id: a map rule, else
    /// the local id of the name, which asks a daemon's name converter), in an entry or in the id lists after the
    /// list; a name the converter refuses is refused while the list is read, whether or not a file is ever written.
    /// The answers are kept (the converter is asked once per name). A module's "numeric ids" drops the names
    /// (numeric_ids &lt; 0: none is looked up).
    /// </summary>
    public void MapNamesAsTheyArrive()
    {
        if (Options.NumericIds || Options.NumericIdsHere)
            return;
        ReadIdMaps();
        List.UserNameArrived = (id, name) => _ids.MapUser(id, name.Length == 0 ? null : name);
        List.GroupNameArrived = (id, name) => _ids.MapGroup(id, name.Length == 0 ? null : name);
    }

    // uidlist.c: the sender's name for an id; none with --numeric-ids; "root" for id 0 when id 0's name is not sent
    // (parse_name_map and recv_id_list assume it).
    private string? SenderName(int id, Dictionary<int, string> names, bool numeric) =>
        numeric ? null : names.TryGetValue(id, out string? name) ? name : id == 0 && !Connection.Parameters.Id0Names ? "root" : null;

    /// <summary>
    /// rsync.c: dest_mode for an existing regular file under -E without -p: its own permissions, without any x bit when
    /// the sender's file has none, or with x wherever it has r when the sender's has one and it had none; null when -E
    /// does not apply (the permissions stay as they are).
    /// </summary>
    public uint? ExecutabilityFor(FileEntry file, EntryStatus? existing)
    {
        if (!Options.Executability || Options.Perms || !file.IsRegular || existing is not { IsRegularFile: true } st)
            return null;
        const uint anyX = 0x49; // 0111
        uint mode = st.Permissions;
        if (((uint)file.Mode & anyX) == 0)
            mode &= ~anyX;
        else if ((st.Permissions & anyX) == 0)
            mode |= (mode & 0x124) >> 2; // 0444 -> 0111
        return mode;
    }

    /// <summary>
    /// With -H, the sorted indexes of the entry's hard-link group (two or more entries), else null. The sender marks
    /// the members (flist.c: XMIT_HLINKED; from protocol 30 a later member names the first's index, before that each
    /// carries dev and inode), and the reader gives each member of a group the same (Dev, Ino).
    /// </summary>
    public int[]? HardLinkGroup(int ndx)
    {
        if (_growingGroups is null)
            return _hardLinkGroups?[ndx];
        lock (_growingGroups)
            return _groupOf.TryGetValue(ndx, out long gnum) ? _growingGroups[gnum] : null;
    }

    private int[]?[]? _hardLinkGroups;

    // With incremental recursion: each group by its number (the global index of its first, flist.c: F_HL_GNUM), in
    // file-list order over all parts so far (an array replaced as the group grows, so a reader's copy stays whole),
    // and each member's group number. Written by the receiver as parts arrive, read by the generator.
    private Dictionary<long, int[]>? _growingGroups;
    private readonly Dictionary<int, long> _groupOf = [];

    /// <summary>
    /// rsync hlink.c: match_hard_links / match_gnums with incremental recursion, for the part of <see cref="Files"/>
    /// from <paramref name="start"/> (its ndx_start) to <paramref name="end"/>: its hard-linked entries (not
    /// directories, not cleared duplicates) join their groups by group number, after the members earlier parts
    /// brought. A group number below the part's start must name a group an earlier part declared (prior_hlinks),
    /// else "hard-link gnum N precedes flist start M" (RERR_PROTOCOL): a back-reference to an entry never sent as a
    /// group's first, to a directory, or to a first that list's cleaning cleared. Unlike a whole list, a group of one
    /// stays a group (it may grow: FLAG_HLINK_FIRST | FLAG_HLINK_LAST, and finish_hard_link keeps its name).
    /// </summary>
    public void MatchHardLinks(int start, int end)
    {
        if (!Options.HardLinks)
            return;
        SortedDictionary<long, List<int>>? found = null;
        for (int ndx = start; ndx < end; ndx++)
        {
            FileEntry file = Files[ndx];
            if (file.Dev < 0 || file.IsDirectory || file.Cleared)
                continue;
            found ??= [];
            if (!found.TryGetValue(file.Ino, out List<int>? members))
                found[file.Ino] = members = [];
            members.Add(ndx);
        }
        if (found is null)
            return;
        _growingGroups ??= [];
        lock (_growingGroups)
        {
            // hlink.c: match_gnums takes the groups in ascending number (its qsort), so the first bad one is named.
            foreach ((long gnum, List<int> members) in found)
            {
                if (!_growingGroups.TryGetValue(gnum, out int[]? group))
                {
                    if (gnum < start)
                        throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, // RERR_PROTOCOL (exit 2), as stock exits
                            $"hard-link gnum {gnum} precedes flist start {start}");
                    group = [];
                }
                _growingGroups[gnum] = [.. group, .. members];
                foreach (int ndx in members)
                    _groupOf[ndx] = gnum;
            }
        }
    }

    /// <summary>rsync hlink.c: match_hard_links — the groups, each in file-list order, once the list is sorted.</summary>
    public void FindHardLinkGroups()
    {
        if (!Options.HardLinks)
            return;
        var byInode = new Dictionary<(long Dev, long Ino), List<int>>();
        for (int ndx = 0; ndx < Files.Count; ndx++)
        {
            FileEntry file = Files[ndx];
            if (file.Dev < 0 || file.IsDirectory || file.Cleared)
                continue;
            if (!byInode.TryGetValue((file.Dev, file.Ino), out List<int>? members))
                byInode[(file.Dev, file.Ino)] = members = [];
            members.Add(ndx);
        }
        foreach (List<int> members in byInode.Values)
        {
            if (members.Count < 2)
                continue;
            _hardLinkGroups ??= new int[]?[Files.Count];
            int[] group = [.. members];
            foreach (int ndx in group)
                _hardLinkGroups[ndx] = group;
        }
    }

    /// <summary>
    /// rsync's am_root as a truth value: owners are set and devices made (the effective uid, not a name from the
    /// password file: a chrooted daemon module may have none; main.c: am_root = !MY_UID(); --super, --no-super and
    /// fake super override it, options.c).
    /// </summary>
    public bool IsRoot => Options.AmRoot;
}

/// <summary>
/// A requested file: the sum header the generator sent, what it found at the name, the item flags, and the basis
/// directory whose file of that name the sums describe (null: the destination's own file), and the name of the basis
/// when it is not the file's own (its --partial-dir copy, which is consumed: UsesUpBasis; or the -y pick, which stays).
/// </summary>
internal readonly record struct PendingFile(SumHeader Header, EntryStatus? Local, ItemChanges Flags, ConfinedDirectory? BasisDirectory = null,
    string? BasisName = null, bool UsesUpBasis = false);
