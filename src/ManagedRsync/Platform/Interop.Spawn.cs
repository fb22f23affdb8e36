using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>posix_spawn(3) with file actions, and waitpid(2): a child whose stdin and stdout are a given descriptor.</summary>
internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_init")]
    public static partial int SpawnFileActionsInit(nint actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static partial int SpawnFileActionsAddDup2(nint actions, int fd, int newFd);

    [LibraryImport(Libc, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static partial int SpawnFileActionsDestroy(nint actions);

    [LibraryImport(Libc, EntryPoint = "posix_spawn")]
    public static partial int PosixSpawn(out int pid, nint path, nint actions, nint attributes, nint argv, nint envp);

    [LibraryImport(Libc, EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);
}
