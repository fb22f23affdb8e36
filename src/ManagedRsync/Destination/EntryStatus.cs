namespace ManagedRsync.Destination;

/// <summary>What lstat says about an entry in the destination (from statx, never following a symlink).</summary>
public readonly record struct EntryStatus(
    uint Mode, long Size, long MtimeSeconds, uint MtimeNanoseconds, uint Uid, uint Gid,
    ulong Inode, ulong Device, uint LinkCount, uint RdevMajor, uint RdevMinor)
{
    private const uint TypeMask = 0xF000;

    /// <summary>A directory (S_ISDIR).</summary>
    public bool IsDirectory => (Mode & TypeMask) == 0x4000;

    /// <summary>A regular file (S_ISREG).</summary>
    public bool IsRegularFile => (Mode & TypeMask) == 0x8000;

    /// <summary>A symbolic link (S_ISLNK).</summary>
    public bool IsSymlink => (Mode & TypeMask) == 0xA000;

    /// <summary>-A: the entry's ACLs as the generator read them beside its lstat (null: not read, or a symlink).</summary>
    internal EntryAcls? Acls { get; init; }

    /// <summary>st_atime in seconds (what -U compares: generator.c itemize, rsync.c set_file_attrs use same_time).</summary>
    public long AtimeSeconds { get; init; }

    /// <summary>Permission bits including setuid/setgid/sticky (07777).</summary>
    public uint Permissions => Mode & 0xFFF;
}
