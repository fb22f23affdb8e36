using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// posix_spawn(3) with dup2 file actions, and waitpid(2): RSYNC_CONNECT_PROG's program gets one end of a connected
/// loopback TCP connection as its stdin and stdout (rsync socket.c: sock_exec, socketpair_tcp), because `rsync --daemon` serves a
/// connection in inetd mode only when its stdin is a socket (clientserver.c: daemon_main, is_a_socket); a pipe, which
/// is all System.Diagnostics.Process offers, would make it start a listener instead.
/// </summary>
internal static partial class Interop
{
    /// <summary>glibc's posix_spawn_file_actions_t is 80 bytes on 64-bit Linux; room to spare.</summary>
    public const int SpawnFileActionsSize = 256;

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int SpawnFileActionsInit(IntPtr actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int SpawnFileActionsAddDup2(IntPtr actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int SpawnFileActionsDestroy(IntPtr actions);

    /// <summary>Returns an error number (0 on success), not -1 with errno.</summary>
    [LibraryImport(Libc, EntryPoint = "posix_spawn", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int PosixSpawn(out int pid, string path, IntPtr fileActions, IntPtr attributes, IntPtr[] argv, IntPtr[] envp);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);
}
