using System.Runtime.InteropServices;
using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// A connection's own process entering its module as stock's forked child does (clientserver.c: rsync_module): chroot
/// into the module when "use chroot" asks for it, change into the module while still privileged, then take the
/// module's groups and user (<see cref="ModuleIdentity"/>).
/// </summary>
internal static class ModuleEntry
{
    /// <summary>
    /// Whether the module is served chrooted when the daemon runs as root: "use chroot" as set; unset, yes (stock
    /// tests chroot("/"), which root passes; a path with "/./" expects it in any case).
    /// </summary>
    public static bool UsesChroot(DaemonModule module) => module.UseChroot ?? true;

    /// <summary>
    /// Whether this build can serve from inside a chroot: the NativeAOT mrsync carries all its code in the executable;
    /// a JIT-compiled one loads assemblies from the runtime's directory as it goes, which the chroot hides.
    /// </summary>
    /// <remarks>
    /// Not RuntimeFeature.IsDynamicCodeSupported: PublishAot puts that switch (false) in the JIT build's runtimeconfig
    /// too, and a JIT build chrooted then fails at its first assembly load ("Could not load file or assembly
    /// 'System.Threading.Channels'"). The CoreCLR host hands the runtime its list of framework assemblies
    /// (TRUSTED_PLATFORM_ASSEMBLIES); a NativeAOT executable has none.
    /// </remarks>
    public static bool CanChroot => AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is null;

    /// <summary>
    /// The outer directory a chrooted module is confined to and the module's directory inside it: "/outer/./inner"
    /// is chrooted to "/outer" and served from "/inner"; any other path is chrooted to itself and served from "/".
    /// </summary>
    public static (string Outer, string Inner) Split(string path)
    {
        int mark = path.IndexOf("/./", StringComparison.Ordinal);
        if (mark < 0)
            return (path, "/");
        string outer = mark == 0 ? "/" : path[..mark];
        string inner = "/" + string.Join('/', path[(mark + 3)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Where(c => c != "."));
        return (outer, inner);
    }

    /// <summary>
    /// clientserver.c: rsync_module — module_dirlen is 0 (util1.c: full_fname then names a file in the module's own
    /// directory "/x") when the module is chrooted into itself or its path is "/": chrooted, the inner part of the
    /// path; unchrooted, the path itself.
    /// </summary>
    public static bool SlashAtTop(string path, bool chrooted) =>
        (chrooted ? Split(path).Inner : path).Split('/', StringSplitOptions.RemoveEmptyEntries).All(c => c == ".");

    /// <summary>
    /// Enters the module at <paramref name="path"/>; returns the root the server is to use, or the log line and
    /// stock's @ERROR text of the step that failed.
    /// </summary>
    public static (string? Root, string? Log, string? Error) Enter(string path, bool chroot, ModuleIdentity identity, DaemonLogFile log)
    {
        // log.c: log_init opens the log file once; clientserver.c calls tzset before the chroot hides /etc/localtime.
        log.Hold();
        _ = TimeZoneInfo.Local;
        string root;
        if (chroot)
        {
            (string outer, string inner) = Split(path);
            if (Interop.ChangeRoot(outer) != 0)
                return (null, $"chroot(\"{outer}\") failed: {Marshal.GetLastPInvokeErrorMessage()}", "chroot failed");
            if (!ChangeDirectory(inner, out string? failure))
                return (null, $"chdir {inner} failed: {failure}", "chdir failed");
            root = inner;
        }
        else
        {
            if (!EnterUnchrooted(path, out string? failure))
                return (null, $"chdir {path} failed: {failure}", "chdir failed");
            // clientserver.c: rsync_module pins the module (module_dirfd) while still privileged and serves paths
            // relative to it, so a module beneath a directory the module's user may not search is served all the same.
            // This process serves one connection, so its working directory is the module's, named as /proc/self/cwd/.
            // (the "." so that the link itself is followed too): .NET makes every path it opens absolute, and a
            // process may always follow its own /proc links (proc(5): ptrace access mode, same thread group).
            root = "/proc/self/cwd/.";
        }
        if (identity.Apply() is { } failed)
            return (null, failed.Log, $"{failed.Call} failed");
        return (root, null, null);
    }

    /// <summary>
    /// The module's directory opened through the same walk as <see cref="EnterUnchrooted"/>, for a connection that
    /// cannot change its process's directory (served in the listener's process); or the failure, as rsyserr words it.
    /// </summary>
    public static (Microsoft.Win32.SafeHandles.SafeFileHandle? Handle, string? Failure) Pin(string path)
    {
        string walked = path.TrimEnd('/');
        if (walked.Length == 0)
        {
            // "path = /": no component to walk.
            int fd = Interop.OpenAt(Interop.AT_FDCWD, "/", Interop.O_RDONLY | Interop.O_DIRECTORY | Interop.O_CLOEXEC, 0);
            return fd >= 0 ? (new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), null)
                : (null, $"{Marshal.GetLastPInvokeErrorMessage()} ({Marshal.GetLastPInvokeError()})");
        }
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.Open(walked, Interop.O_RDONLY | Interop.O_DIRECTORY, 0);
        return opened.Handle is { } handle ? (handle, null) : (null, $"{Marshal.GetPInvokeErrorMessage(opened.Errno)} ({opened.Errno})");
    }

    /// <summary>
    /// util1.c: change_dir — an unchrooted daemon enters its module's path (absolute, from rsyncd.conf) through
    /// syscall.c: open_no_attacker_symlinks and fchdir(2), not chdir(2): a symlink anywhere on the path that is owned by
    /// neither root nor the daemon's euid (planted in a directory another user may write, "path = /home/USER/share")
    /// is refused with ELOOP rather than followed out of the module (upstream daemon-module-chdir-symlink).
    /// </summary>
    private static bool EnterUnchrooted(string path, out string? failure)
    {
        failure = null;
        // clientserver.c: normalize_path leaves no trailing slash (the walk takes no empty component); "/" is the root.
        string walked = path.TrimEnd('/');
        if (walked.Length == 0)
            return ChangeDirectory("/", out failure);
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.Open(walked, Interop.O_RDONLY | Interop.O_DIRECTORY, 0);
        int errno = opened.Errno;
        if (opened.Handle is { } handle)
        {
            using (handle)
                errno = Interop.ChangeDirectory((int)handle.DangerousGetHandle()) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        if (errno == 0)
            return true;
        // log.c: rsyserr's "TEXT: STRERROR (ERRNO)".
        failure = $"{Marshal.GetPInvokeErrorMessage(errno)} ({errno})";
        return false;
    }

    private static bool ChangeDirectory(string path, out string? failure)
    {
        failure = null;
        try
        {
            Directory.SetCurrentDirectory(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = e.Message;
            return false;
        }
    }
}
