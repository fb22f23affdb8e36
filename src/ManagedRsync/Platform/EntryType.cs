namespace ManagedRsync.Platform;

/// <summary>What getdents64 says an entry is (dirent.h d_type); Unknown on filesystems that do not fill it.</summary>
internal enum EntryType : byte
{
    Unknown = Interop.DT_UNKNOWN,
    Directory = Interop.DT_DIR,
    File = Interop.DT_REG,
    Symlink = Interop.DT_LNK,
    Other = 255,
}
