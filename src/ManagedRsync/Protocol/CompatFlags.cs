namespace ManagedRsync.Protocol;

/// <summary>rsync compat.c / rsync.h: the compatibility flags a protocol-30+ server sends after the handshake.</summary>
[Flags]
internal enum CompatFlags
{
    None = 0,
    /// <summary>CF_INC_RECURSE: incremental recursion (we never ask for it: no 'i' in our -e string).</summary>
    IncRecurse = 1 << 0,
    /// <summary>CF_SYMLINK_TIMES: the receiver can set symlink times.</summary>
    SymlinkTimes = 1 << 1,
    /// <summary>CF_SYMLINK_ICONV.</summary>
    SymlinkIconv = 1 << 2,
    /// <summary>CF_SAFE_FLIST: the io_error flag travels at the end of the file list (also implied by protocol 31+).</summary>
    SafeFlist = 1 << 3,
    /// <summary>CF_AVOID_XATTR_OPTIM.</summary>
    AvoidXattrOptim = 1 << 4,
    /// <summary>CF_CHKSUM_SEED_FIX: the seed is mixed into MD5 sums in the fixed order.</summary>
    ChecksumSeedFix = 1 << 5,
    /// <summary>CF_INPLACE_PARTIAL_DIR.</summary>
    InplacePartialDir = 1 << 6,
    /// <summary>CF_VARINT_FLIST_FLAGS: file-list flags are varints, and checksum/compression names are negotiated.</summary>
    VarintFlistFlags = 1 << 7,
    /// <summary>CF_ID0_NAMES: uid/gid 0 carry their names in the id lists.</summary>
    Id0Names = 1 << 8,
}
