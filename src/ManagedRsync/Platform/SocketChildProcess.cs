using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Starts a program whose stdin and stdout are a connected socket, as inetd does: RSYNC_CONNECT_PROG's program (rsync
/// socket.c: sock_exec) and a root daemon's process per connection (socket.c: start_accept_loop forks one). .NET cannot
/// fork; posix_spawn with two dup2 actions hands the socket over, and every other descriptor of ours is close-on-exec.
/// </summary>
internal static class SocketChildProcess
{
    /// <summary>
    /// Starts <c>argv[0]</c> with <paramref name="argv"/> and our environment, <paramref name="socket"/> as its stdin and
    /// stdout; returns its pid, or 0 with the error number in <paramref name="error"/>.
    /// </summary>
    public static int Start(IReadOnlyList<string> argv, int socket, out int error)
    {
        IntPtr actions = Marshal.AllocHGlobal(Interop.SpawnFileActionsSize);
        var strings = new List<IntPtr>();
        try
        {
            Interop.SpawnFileActionsInit(actions);
            Interop.SpawnFileActionsAddDup2(actions, socket, 0);
            Interop.SpawnFileActionsAddDup2(actions, socket, 1);
            IntPtr[] Terminated(IEnumerable<string> items)
            {
                var pointers = items.Select(Marshal.StringToCoTaskMemUTF8).ToList();
                strings.AddRange(pointers);
                return [.. pointers, IntPtr.Zero];
            }
            IntPtr[] args = Terminated(argv);
            IntPtr[] env = Terminated(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                .Select(e => $"{e.Key}={e.Value}"));
            error = Interop.PosixSpawn(out int pid, argv[0], actions, IntPtr.Zero, args, env);
            return error == 0 ? pid : 0;
        }
        finally
        {
            Interop.SpawnFileActionsDestroy(actions);
            Marshal.FreeHGlobal(actions);
            strings.ForEach(Marshal.ZeroFreeCoTaskMemUTF8);
        }
    }

    /// <summary>Waits for the child on a thread of its own (waitpid blocks); completes with its raw wait status.</summary>
    public static Task<int> WaitAsync(int pid)
    {
        var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            int status;
            while (Interop.WaitPid(pid, out status, 0) < 0 && Marshal.GetLastPInvokeError() == 4 /* EINTR */)
            {
            }
            done.SetResult(status);
        })
        {
            IsBackground = true,
            Name = $"waitpid {pid}",
        };
        thread.Start();
        return done.Task;
    }
}
