using ManagedRsync.Platform;

namespace ManagedRsync;

/// <summary>
/// An entry's ACLs as this machine keeps them, read and written through a descriptor the caller holds
/// (<see cref="XattrIo"/>): the kernel's system.posix_acl_access / system.posix_acl_default xattrs
/// (<see cref="PosixAclXattr"/>), or, on a fake-super side (rsync am_root &lt; 0), user.rsync.%aacl / %dacl
/// (<see cref="FakeSuperAcl"/>). rsync acls.c: get_rsync_acl, set_rsync_acl, set_acl_fdat.
/// </summary>
internal static class AclStore
{
    /// <summary>
    /// acls.c: get_acl — the access ACL (none: the mode's bits; none on a fake-super side: no entries at all) and, for
    /// a directory, the default ACL (none: empty). Null with <paramref name="error"/> set when it cannot be read: stock's
    /// words with {0} for the name, or empty where stock says nothing (a fake-super value of the wrong length). The
    /// libacl call the words name is <paramref name="call"/>: the generator's read goes through a descriptor
    /// (acl_get_file_at), a sender's by its name (sys_acl_get_file, flist.c: send_file_name's get_acl).
    /// </summary>
    public static EntryAcls? Read(int fd, bool pathOnly, int mode, bool fakeSuper, out string? error, string call = "acl_get_file_at")
    {
        bool isDir = (mode & 0xF000) == 0x4000;
        error = null;
        RsyncAcl? access = ReadOne(fd, pathOnly, mode, true, fakeSuper, call, ref error);
        if (access is null)
            return null;
        RsyncAcl? dflt = null;
        if (isDir && (dflt = ReadOne(fd, pathOnly, mode, false, fakeSuper, call, ref error)) is null)
            return null;
        return new EntryAcls(access, dflt);
    }

    private static RsyncAcl? ReadOne(int fd, bool pathOnly, int mode, bool access, bool fakeSuper, string call, ref string? error)
    {
        string name = fakeSuper ? (access ? FakeSuperAcl.AccessName : FakeSuperAcl.DefaultName)
            : access ? PosixAclXattr.AccessName : PosixAclXattr.DefaultName;
        int errno = XattrIo.Get(XattrTarget.Held(fd, pathOnly), name, out byte[] value);
        if (errno != 0)
        {
            // acls.c: no_acl_syscall_error — no ACL there, or none on this file system: the mode's (access) or none.
            // A fake-super side reads its xattr as get_xattr_data with no_missing_error: whatever the error, no ACL.
            if (errno is Interop.ENODATA or Interop.EOPNOTSUPP or Interop.ENOSYS || fakeSuper)
                return fakeSuper ? RsyncAcl.Empty : access ? RsyncAcl.FromMode(mode) : RsyncAcl.Empty;
            error = $"get_acl: {call}({{0}}, {AclKind(access)}) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})";
            return null;
        }
        RsyncAcl? acl = fakeSuper ? FakeSuperAcl.Parse(value, mode) : PosixAclXattr.Parse(value);
        // acls.c: get_rsync_acl — a fake-super value whose length is not 16 + 8n fails without a word.
        if (acl is null)
            error = fakeSuper ? "" : $"get_acl: unpack_smb_acl({{0}}) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(Interop.EINVAL)} ({Interop.EINVAL})";
        return acl;
    }

    /// <summary>
    /// acls.c: set_acl_fdat with no file name — whether <paramref name="have"/> (read from the receiver's entry)
    /// differs from what the sender's entry asks for (the generator's itemize: the 'a' column).
    /// </summary>
    public static bool Differ(EntryAcls? have, EntryAcls want, int mode)
    {
        if (have is null || !RsyncAcl.EqualEnough(have.Access, want.Access, mode))
            return true;
        return (mode & 0xF000) == 0x4000 && want.Default is { } d && !d.Equals(have.Default ?? RsyncAcl.Empty);
    }

    /// <summary>
    /// acls.c: set_acl_fdat — writes the access ACL (with the permission bits of <paramref name="mode"/>) and a
    /// directory's default ACL (removed when the sender's has no entries) where they differ from what the entry has.
    /// Returns whether anything was written; throws <see cref="RsyncException"/> (an entry's failure) with stock's words.
    /// </summary>
    public static bool Apply(int fd, bool pathOnly, EntryAcls want, int mode, bool fakeSuper, string forPath, int currentMode)
    {
        EntryAcls? have = Read(fd, pathOnly, mode, fakeSuper, out _);
        bool changed = false;
        if (have is null || !RsyncAcl.EqualEnough(have.Access, want.Access, mode))
        {
            changed = true;
            byte[] value = fakeSuper ? FakeSuperAcl.Format(want.Access) : PosixAclXattr.Format(want.Access, true, SafeMode(mode, currentMode));
            int errno = XattrIo.Set(XattrTarget.Held(fd, pathOnly), fakeSuper ? FakeSuperAcl.AccessName : PosixAclXattr.AccessName, value);
            if (errno != 0)
                throw SetFailed(fakeSuper, true, forPath, errno);
        }
        if ((mode & 0xF000) != 0x4000 || want.Default is not { } d || d.Equals(have?.Default ?? RsyncAcl.Empty))
            return changed;
        string name = fakeSuper ? FakeSuperAcl.DefaultName : PosixAclXattr.DefaultName;
        if (d.UserObj == RsyncAcl.NoEntry)
        {
            int errno = XattrIo.Remove(XattrTarget.Held(fd, pathOnly), name);
            if (errno != 0 && errno != Interop.ENODATA)
            {
                throw new RsyncException(RsyncErrorKind.EntryFailed,
                    $"set_acl: sys_acl_delete_def_file({FileNameEncoding.Display(forPath)}) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            }
        }
        else
        {
            int errno = XattrIo.Set(XattrTarget.Held(fd, pathOnly), name, fakeSuper ? FakeSuperAcl.Format(d) : PosixAclXattr.Format(d, false, mode));
            if (errno != 0)
                throw SetFailed(fakeSuper, false, forPath, errno);
        }
        return true;
    }

    // acls.c: change_sacl_perms — "If the sticky bit is going on" (a directory) or "setuid or setgid is going off"
    // (anything else), the ACL first goes on without group and other access (mode &= ~0077); the chmod after it gives
    // the mask and other their bits, and a group entry the sender left out keeps none (stock's result, which upstream
    // variety compares: a new 1777 directory with a named entry ends with group::---).
    private static int SafeMode(int mode, int currentMode)
    {
        const int S_ISUID = 0x800, S_ISGID = 0x400, S_ISVTX = 0x200;
        bool risky = (mode & 0xF000) == 0x4000
            ? (mode & S_ISVTX) != 0 && (currentMode & S_ISVTX) == 0
            : ((currentMode & S_ISUID) != 0 && (mode & S_ISUID) == 0) || ((currentMode & S_ISGID) != 0 && (mode & S_ISGID) == 0);
        return risky ? mode & ~0x3F : mode;
    }

    private static RsyncException SetFailed(bool fakeSuper, bool access, string forPath, int errno) =>
        new(RsyncErrorKind.EntryFailed, fakeSuper
            ? $"set_xattr_acl: fsetxattr({FileNameEncoding.Display(forPath)},\"{(access ? FakeSuperAcl.AccessName : FakeSuperAcl.DefaultName)}\") failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})"
            : $"set_acl: acl_set_file_at({FileNameEncoding.Display(forPath)}, {AclKind(access)}) failed: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)} ({errno})");

    private static string AclKind(bool access) => access ? "ACL_TYPE_ACCESS" : "ACL_TYPE_DEFAULT";
}
