namespace ManagedRsync.Destination;

/// <summary>
/// The metadata to give an entry after its content is in place. A null member is left as it is (rsync.c:
/// set_file_attrs skips what the options do not preserve). The access time is touched only with -U
/// (<see cref="AtimeSeconds"/>).
/// </summary>
public readonly record struct EntryAttributes(
    uint? Permissions = null, long? MtimeSeconds = null, uint MtimeNanoseconds = 0, uint? Uid = null, uint? Gid = null)
{
    /// <summary>
    /// A daemon module's "incoming chmod" still to apply to the entry's own permissions (no -p: <see cref="Permissions"/>
    /// is null), once its status is read (rsync.c: set_file_attrs tweaks an existing entry's mode with
    /// daemon_chmod_modes). Never set for a symlink.
    /// </summary>
    public ChmodRules? ModuleChmod { get; init; }

    /// <summary>
    /// The sender's full st_mode, type included (0: not known), and its device numbers: what a fake-super receiver
    /// keeps in the user.rsync.%stat xattr (xattrs.c: set_stat_xattr takes file->mode and F_RDEV_P).
    /// </summary>
    public uint EntryMode { get; init; }

    /// <summary>
    /// -A: the ACLs the entry is to have, their ids already mapped (rsync.c: set_file_attrs calls set_acl_fdat before
    /// the chmod); null leaves them as they are. Never set for a symlink.
    /// </summary>
    internal EntryAcls? Acls { get; init; }

    /// <summary>
    /// -A: the mode stock's entry would have before its ACL is written, where it differs from ours (a directory this
    /// run made: stock's mkdir gives it the sender's mode, ours 0700); null: the entry's own.
    /// </summary>
    internal uint? AclPriorMode { get; init; }

    /// <summary>
    /// -U: the access time to set, whole seconds (rsync.c: set_file_attrs sets it, nanoseconds 0, when its seconds
    /// differ; never on a directory); null leaves it.
    /// </summary>
    public long? AtimeSeconds { get; init; }

    /// <summary>The sender's device major number (a device's; see <see cref="EntryMode"/>).</summary>
    public uint RdevMajor { get; init; }

    /// <summary>The sender's device minor number.</summary>
    public uint RdevMinor { get; init; }

    /// <summary>Nothing to change.</summary>
    public bool IsEmpty => Permissions is null && MtimeSeconds is null && AtimeSeconds is null && Uid is null && Gid is null
        && ModuleChmod is null && Acls is null;

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
        uint? wanted = ModuleChmod is { } rules && !current.IsSymlink
            ? (uint)rules.Apply((int)((current.Mode & ~0xFFFu) | (Permissions ?? current.Permissions))) & 0xFFF
            : Permissions;
        uint? permissions = uid is null && gid is null && wanted is { } p && (p & 0xFFF) == current.Permissions ? null : wanted;
        bool sameTime = MtimeSeconds == current.MtimeSeconds && MtimeNanoseconds == current.MtimeNanoseconds;
        // ACLs are compared where they are written (AclStore.Apply), as stock's set_acl_fdat does.
        return new EntryAttributes(permissions, sameTime ? null : MtimeSeconds, MtimeNanoseconds, uid, gid)
        {
            Acls = Acls, AclPriorMode = AclPriorMode,
            AtimeSeconds = AtimeSeconds == current.AtimeSeconds ? null : AtimeSeconds,
        };
    }
}
