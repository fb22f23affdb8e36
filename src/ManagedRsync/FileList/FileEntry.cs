using ManagedRsync.Platform;

namespace ManagedRsync.FileList;

/// <summary>
/// One entry of the file list as it travels on the wire (rsync flist.c: struct file_struct plus what
/// send_file_entry takes beside it). <see cref="Name"/> is the transfer-relative path in the file system's bytes.
/// </summary>
internal sealed class FileEntry
{
    public required byte[] Name { get; init; }

    /// <summary>Where the sender reads the content from (null on the receiving side).</summary>
    public string? LocalPath { get; init; }

    /// <summary>st_mode, type bits included (rsync sends it as is on Linux: to_wire_mode).</summary>
    public int Mode { get; set; }

    public long Size { get; set; }
    public long ModTime { get; set; }
    public int ModTimeNsec { get; set; }

    /// <summary>st_atime in seconds, sent with -U for all but directories (flist.c: send_file_entry).</summary>
    public long AccessTime
    {
        get => _more?.AccessTime ?? 0;
        set => MoreFor(value != 0)?.AccessTime = value;
    }

    /// <summary>
    /// The order the sender's scan met the entry in (its lstat; flist.c: make_file), which the sorted list loses: -c
    /// with -U reads files in it (make_file checksums each right after its lstat).
    /// </summary>
    internal long ScanOrder
    {
        get => _more?.ScanOrder ?? 0;
        set => MoreFor(value != 0)?.ScanOrder = value;
    }

    public int Uid { get; set; }
    public int Gid { get; set; }

    public int RdevMajor
    {
        get => _more?.RdevMajor ?? 0;
        set => MoreFor(value != 0)?.RdevMajor = value;
    }

    public int RdevMinor
    {
        get => _more?.RdevMinor ?? 0;
        set => MoreFor(value != 0)?.RdevMinor = value;
    }

    /// <summary>Symlink target bytes.</summary>
    public byte[]? LinkTarget
    {
        get => _more?.LinkTarget;
        set => MoreFor(value is not null)?.LinkTarget = value;
    }

    /// <summary>Device and inode, for -H; <see cref="Dev"/> is -1 when the entry is not a hard-link candidate.</summary>
    public long Dev
    {
        get => _more?.Dev ?? -1;
        set => MoreFor(value != -1)?.Dev = value;
    }

    public long Ino
    {
        get => _more?.Ino ?? 0;
        set => MoreFor(value != 0)?.Ino = value;
    }

    public int Nlink
    {
        get => _more?.Nlink ?? 0;
        set => MoreFor(value != 0)?.Nlink = value;
    }

    /// <summary>rsync's FLAG_TOP_DIR: a directory named on the command line (or "." for a trailing slash).</summary>
    public bool IsTopDir { get; set; }

    /// <summary>A directory whose contents are not part of the transfer (rsync XMIT_NO_CONTENT_DIR, protocol 30+).</summary>
    public bool IsNoContentDir { get; set; }

    /// <summary>Whole-file checksum, for -c (rsync flist.c: tmp_sum / flist_csum_len).</summary>
    public byte[]? Checksum
    {
        get => _more?.Checksum;
        set => MoreFor(value is not null)?.Checksum = value;
    }

    /// <summary>
    /// -A: the entry's ACLs (rsync F_ACL / F_DIR_DEFACL): on the sending side as read from the file (null: none could
    /// be read, its mode stands for them), on the receiving side as received, ids not yet mapped. Never for a symlink.
    /// </summary>
    internal EntryAcls? Acls
    {
        get => _more?.Acls;
        set => MoreFor(value is not null)?.Acls = value;
    }

    /// <summary>rsync FLAG_FILE_SENT: the sender has sent this file once (a second request is the redo pass).</summary>
    public bool Sent { get; set; }

    /// <summary>
    /// rsync flist.c: clear_file — a directory the receiving side dropped from its sorted list (--prune-empty-dirs): it
    /// keeps its index (the sender numbers the list without knowing), but is neither made, itemized nor kept from
    /// --delete.
    /// </summary>
    public bool Pruned { get; set; }

    /// <summary>
    /// rsync flist.c: flist_sort_and_clean / clear_file — a receiving server's copy of a name the sender listed twice
    /// in one list: it keeps its index, is never acted on, and a later use of it (a transfer index, a sub-list for it
    /// as a directory) ends the run (receiver.c: recv_files, flist.c: recv_file_list).
    /// </summary>
    public bool Cleared { get; set; }

    /// <summary>-X: the sender's list of the entry's xattrs, as read (xattrs.c: get_xattr), before it is sent.</summary>
    public XattrItem[]? Xattrs
    {
        get => _more?.Xattrs;
        set => MoreFor(value is not null)?.Xattrs = value;
    }

    /// <summary>-X: the index of the entry's list in its side's <see cref="XattrTable"/> (F_XATTR), or -1.</summary>
    public int XattrIndex
    {
        get => _more?.XattrIndex ?? -1;
        set => MoreFor(value != -1)?.XattrIndex = value;
    }

    // What most entries do not have (a device's numbers, a link's target, -H's inode, -c's sum, -A, -X, -U's time and
    // -c -U's scan order) lives apart, made by the first setter that stores something other than the default: an
    // entry of a plain tree is 88 bytes instead of 160 (issue 16: the entries in flight are most of what a side
    // holds, and every one of a million-file tree is allocated once). Each entry is filled by one thread before it is
    // shared, so the lazy allocation needs no lock.
    private Rare? _more;

    // Where a setter stores its value: the side object, made here only for a value other than the field's default (a
    // default stored on an entry without one has nothing to change: the getters read the default from a missing one).
    private Rare? MoreFor(bool notDefault) => notDefault ? _more ??= new Rare() : _more;

    private sealed class Rare
    {
        public long AccessTime;
        public long ScanOrder;
        public int RdevMajor;
        public int RdevMinor;
        public byte[]? LinkTarget;
        public long Dev = -1;
        public long Ino;
        public int Nlink;
        public byte[]? Checksum;
        public EntryAcls? Acls;
        public XattrItem[]? Xattrs;
        public int XattrIndex = -1;
    }

    public const int S_IFMT = 0xF000;
    public const int S_IFDIR = 0x4000;
    public const int S_IFREG = 0x8000;
    public const int S_IFLNK = 0xA000;
    public const int S_IFCHR = 0x2000;
    public const int S_IFBLK = 0x6000;
    public const int S_IFIFO = 0x1000;
    public const int S_IFSOCK = 0xC000;

    public bool IsDirectory => (Mode & S_IFMT) == S_IFDIR;
    public bool IsRegular => (Mode & S_IFMT) == S_IFREG;
    public bool IsSymlink => (Mode & S_IFMT) == S_IFLNK;
    public bool IsDevice => (Mode & S_IFMT) is S_IFCHR or S_IFBLK;
    public bool IsSpecial => (Mode & S_IFMT) is S_IFIFO or S_IFSOCK;

    /// <summary>The name as rsync prints it (bytes that are not UTF-8 as "\#ooo").</summary>
    public string DisplayName => FileNameEncoding.Display(Name);

    /// <summary>The name as a local path string (<see cref="FileNameEncoding"/>: exact bytes, escaped where not UTF-8).</summary>
    /// <remarks>
    /// Decoded once (<see cref="Name"/> never changes): a receiving side asks for it three times per entry as each list
    /// arrives (the name checks, the guard, the name table), which decoded a new string each time.
    /// </remarks>
    public string LocalName => _localName ??= FileNameEncoding.Decode(Name);

    private string? _localName;

    public override string ToString() => DisplayName;
}
