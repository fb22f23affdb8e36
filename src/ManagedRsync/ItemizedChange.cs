namespace ManagedRsync;

/// <summary>What an entry of a transfer is (rsync's %i second letter: f, d, L, D, S).</summary>
public enum EntryKind
{
    /// <summary>A regular file.</summary>
    File,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A character or block device.</summary>
    Device,
    /// <summary>A FIFO or a socket.</summary>
    Special,
}

/// <summary>
/// What changed about an entry, as rsync's generator reports it with each file-list index (rsync.h: the ITEM_* flags,
/// same values, as they travel on the wire).
/// </summary>
[Flags]
public enum ItemChanges
{
    /// <summary>Nothing to report.</summary>
    None = 0,
    /// <summary>The access time differs (ITEM_REPORT_ATIME).</summary>
    AccessTime = 1 << 0,
    /// <summary>The checksum differs (a regular file, with -c), or a symlink's target / a device's number (ITEM_REPORT_CHANGE).</summary>
    Checksum = 1 << 1,
    /// <summary>The size differs (ITEM_REPORT_SIZE).</summary>
    Size = 1 << 2,
    /// <summary>The modification time differs (ITEM_REPORT_TIME).</summary>
    ModTime = 1 << 3,
    /// <summary>The permissions differ (ITEM_REPORT_PERMS).</summary>
    Permissions = 1 << 4,
    /// <summary>The owner differs (ITEM_REPORT_OWNER).</summary>
    Owner = 1 << 5,
    /// <summary>The group differs (ITEM_REPORT_GROUP).</summary>
    Group = 1 << 6,
    /// <summary>The ACL differs (ITEM_REPORT_ACL).</summary>
    Acl = 1 << 7,
    /// <summary>Extended attributes differ (ITEM_REPORT_XATTR).</summary>
    Xattr = 1 << 8,
    /// <summary>The creation time differs (ITEM_REPORT_CRTIME).</summary>
    CreateTime = 1 << 10,
    /// <summary>A basis type travels with the item (ITEM_BASIS_TYPE_FOLLOWS).</summary>
    BasisTypeFollows = 1 << 11,
    /// <summary>Another name travels with the item: a hard link's leader (ITEM_XNAME_FOLLOWS; %i shows 'h').</summary>
    OtherNameFollows = 1 << 12,
    /// <summary>The entry is new on the receiver (ITEM_IS_NEW; %i shows '+').</summary>
    IsNew = 1 << 13,
    /// <summary>The receiver made the change locally, without data from the sender (ITEM_LOCAL_CHANGE).</summary>
    LocalChange = 1 << 14,
    /// <summary>The file's data is transferred (ITEM_TRANSFER).</summary>
    Transfer = 1 << 15,
    /// <summary>What changed is not known: an old protocol sent no flags (ITEM_MISSING_DATA; %i shows '?').</summary>
    MissingData = 1 << 16,
    /// <summary>The entry was deleted (ITEM_DELETED).</summary>
    Deleted = 1 << 17,
}

/// <summary>
/// One entry the transfer reports (rsync log.c: log_item): what rsync prints with -v (the name) or -i (the change
/// string and the name). Raised for the entries stock rsync reports at the requested verbosity: a transferred file
/// always, another entry when something about it changed (every entry with -ii, or -vv with -i).
/// </summary>
public sealed record ItemizedChange
{
    /// <summary>What changed.</summary>
    public required ItemChanges Changes { get; init; }

    /// <summary>What the entry is.</summary>
    public required EntryKind Kind { get; init; }

    /// <summary>
    /// Its path in the transfer (rsync's %n without the directory's trailing '/'; "." for the top directory); names that
    /// are not UTF-8 are escaped as rsync prints them (<c>\#ooo</c>).
    /// </summary>
    public required string Name { get; init; }

    /// <summary>Its size in bytes (rsync's %l).</summary>
    public long Size { get; init; }

    /// <summary>Its permission and type bits (st_mode; rsync's %B shows the permissions).</summary>
    public int Mode { get; init; }

    /// <summary>Its modification time (rsync's %M).</summary>
    public DateTimeOffset ModTime { get; init; }

    /// <summary>Its owner's user id as the file list carries it (rsync's %U).</summary>
    public int Uid { get; init; }

    /// <summary>Its group id as the file list carries it (rsync's %G).</summary>
    public int Gid { get; init; }

    /// <summary>A symlink's target (rsync's %L prints " -> target"); null for other kinds.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>For a hard link made to another entry of the transfer, that entry's name (rsync's %L: " => leader").</summary>
    public string? HardLinkLeader { get; init; }

    /// <summary>
    /// This side sent the data (rsync's %i first letter '&lt;'), rather than received it ('&gt;'); false also for a
    /// local copy, which stock reports from its receiving side.
    /// </summary>
    public bool Sent { get; init; }

    /// <summary>
    /// The sending side reports this entry (rsync's %o: "send"; "recv" when the receiving side does). A push and a local
    /// copy report from the sender (stock's local copy logs in its sending process), a pull from the receiver.
    /// </summary>
    public bool ReportedBySender { get; init; }

    /// <summary>
    /// Its path as rsync's %f shows it: for an entry the sending side reports, the source directory joined with
    /// <see cref="Name"/>, cleaned, without a leading '/' (log.c: log_formatted, F_PATHNAME); else <see cref="Name"/>.
    /// </summary>
    public string? FullPath { get; init; }

    /// <summary>
    /// The receiver sets modification times for this entry (-t; for a symlink, also a protocol that carries them): a
    /// time change then shows as 't' in %i, else as 'T'.
    /// </summary>
    public bool TimesPreserved { get; init; }

    /// <summary>
    /// The line goes to the client's output (rsync's stdout format is set: -v, -i, --progress or --out-format); false
    /// for an entry only the log file gets (log.c: log_item with FLOG).
    /// </summary>
    public bool Printed { get; init; } = true;

    /// <summary>
    /// The line goes to the client's --log-file too (log.c: log_item with FINFO or FLOG, maybe_log_item's FINFO for a
    /// significant change or a log format with %i; never a dry run's transfer).
    /// </summary>
    public bool Logged { get; init; }

    /// <summary>
    /// For a transferred file, the data bytes this side wrote while transferring it (rsync's %b on the sending side, %c
    /// on the receiving side; log.c: total_data_written since remember_initial_stats); 0 otherwise.
    /// </summary>
    public long BytesWritten { get; init; }

    /// <summary>For a transferred file, the data bytes this side read while transferring it (%c sending, %b receiving).</summary>
    public long BytesRead { get; init; }

    /// <summary>
    /// rsync's %C: a transferred file's whole-file checksum in lower-case hex, as util2.c: sum_as_hex prints it; null
    /// prints <see cref="ChecksumDigits"/> spaces.
    /// </summary>
    public string? Checksum { get; init; }

    /// <summary>How many spaces a %C without a checksum prints (twice the transfer checksum's length).</summary>
    public int ChecksumDigits { get; init; } = 32;
}

/// <summary>One entry of a listing (<c>rsync --list-only</c>; rsync generator.c: list_file_entry).</summary>
/// <param name="Kind">What the entry is.</param>
/// <param name="Mode">Its permission and type bits (st_mode).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ModTime">Its modification time.</param>
/// <param name="Name">Its path in the listing; names that are not UTF-8 are escaped as rsync prints them (<c>\#ooo</c>).</param>
/// <param name="LinkTarget">A symlink's target; null for other kinds.</param>
public sealed record ListingEntry(EntryKind Kind, int Mode, long Size, DateTimeOffset ModTime, string Name, string? LinkTarget)
{
    /// <summary>
    /// -U: the list carries access times, shown as a column after the modification time (generator.c: list_file_entry's
    /// atime_width); <see cref="AccessTime"/> is null for a directory, whose column is blank.
    /// </summary>
    public bool AccessTimeColumn { get; init; }

    /// <summary>The entry's access time (-U, all but a directory).</summary>
    public DateTimeOffset? AccessTime { get; init; }
}
