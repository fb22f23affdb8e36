using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// A daemon connection's own process entering its module (chroot) and taking the module's user and groups (clientserver.c: rsync_module's setgid,
/// setgroups, setuid, seteuid). glibc applies each call to every thread of the process.
/// </summary>
internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "setgid", SetLastError = true)]
    public static partial int SetGroupId(uint gid);

    [LibraryImport(Libc, EntryPoint = "setgroups", SetLastError = true)]
    public static partial int SetGroups(nuint size, uint[] list);

    [LibraryImport(Libc, EntryPoint = "setuid", SetLastError = true)]
    public static partial int SetUserId(uint uid);

    [LibraryImport(Libc, EntryPoint = "seteuid", SetLastError = true)]
    public static partial int SetEffectiveUserId(uint uid);

    /// <summary>chroot(2): a connection's process confined to its module ("use chroot").</summary>
    [LibraryImport(Libc, EntryPoint = "chroot", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int ChangeRoot(string path);

    /// <summary>fchdir(2): a connection's process entering the module directory it opened (util1.c: change_dir).</summary>
    [LibraryImport(Libc, EntryPoint = "fchdir", SetLastError = true)]
    public static partial int ChangeDirectory(int fd);
}
