namespace ManagedRsync.Destination;

/// <summary>
/// The metadata to give an entry after its content is in place. A null member is left as it is (rsync.c:
/// set_file_attrs skips what the options do not preserve). The access time is never touched (rsync sets it only with
/// --atimes).
/// </summary>
public readonly record struct EntryAttributes(
    uint? Permissions = null, long? MtimeSeconds = null, uint MtimeNanoseconds = 0, uint? Uid = null, uint? Gid = null);
