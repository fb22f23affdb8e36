namespace ManagedRsync.Destination;

/// <summary>
/// The metadata to give an entry after its content is in place. A null member is left as it is (rsync.c:
/// set_file_attrs skips what the options do not preserve). The access time is never touched (rsync sets it only with
/// --atimes).
/// </summary>
public readonly record struct EntryAttributes(
    uint? Permissions = null, long? MtimeSeconds = null, uint MtimeNanoseconds = 0, uint? Uid = null, uint? Gid = null)
{
    /// <summary>Nothing to change.</summary>
    public bool IsEmpty => Permissions is null && MtimeSeconds is null && Uid is null && Gid is null;

    /// <summary>
    /// What is left to change on an entry that already has <paramref name="current"/>: rsync.c set_file_attrs changes
    /// only the owner, group, mode and time that differ, so an up-to-date entry is not touched at all (its ctime stays,
    /// and a no-change run costs one stat an entry). A chown clears set-id bits, so the mode stays whenever the owner
    /// or group is still to change.
    /// </summary>
    public EntryAttributes Except(EntryStatus current)
    {
        uint? uid = Uid == current.Uid ? null : Uid;
        uint? gid = Gid == current.Gid ? null : Gid;
        uint? permissions = uid is null && gid is null && Permissions is { } p && (p & 0xFFF) == current.Permissions ? null : Permissions;
        bool sameTime = MtimeSeconds == current.MtimeSeconds && MtimeNanoseconds == current.MtimeNanoseconds;
        return new EntryAttributes(permissions, sameTime ? null : MtimeSeconds, MtimeNanoseconds, uid, gid);
    }
}
