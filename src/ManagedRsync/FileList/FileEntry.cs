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
    public long AccessTime { get; set; }

    /// <summary>
    /// The order the sender's scan met the entry in (its lstat; flist.c: make_file), which the sorted list loses: -c
    /// reads files in it (make_file checksums each right after its lstat).
    /// </summary>
    internal long ScanOrder { get; set; }
    public int Uid { get; set; }
    public int Gid { get; set; }
    public int RdevMajor { get; set; }
    public int RdevMinor { get; set; }

    /// <summary>Symlink target bytes.</summary>
    public byte[]? LinkTarget { get; set; }

    /// <summary>Device and inode, for -H; <see cref="Dev"/> is -1 when the entry is not a hard-link candidate.</summary>
    public long Dev { get; set; } = -1;
    public long Ino { get; set; }
    public int Nlink { get; set; }

    /// <summary>rsync's FLAG_TOP_DIR: a directory named on the command line (or "." for a trailing slash).</summary>
    public bool IsTopDir { get; set; }

    /// <summary>A directory whose contents are not part of the transfer (rsync XMIT_NO_CONTENT_DIR, protocol 30+).</summary>
    public bool IsNoContentDir { get; set; }

    /// <summary>Whole-file checksum, for -c (rsync flist.c: tmp_sum / flist_csum_len).</summary>
    public byte[]? Checksum { get; set; }

    /// <summary>
    /// -A: the entry's ACLs (rsync F_ACL / F_DIR_DEFACL): on the sending side as read from the file (null: none could
    /// be read, its mode stands for them), on the receiving side as received, ids not yet mapped. Never for a symlink.
    /// </summary>
    internal EntryAcls? Acls { get; set; }

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
    public XattrItem[]? Xattrs { get; set; }

    /// <summary>-X: the index of the entry's list in its side's <see cref="XattrTable"/> (F_XATTR), or -1.</summary>
    public int XattrIndex { get; set; } = -1;

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
