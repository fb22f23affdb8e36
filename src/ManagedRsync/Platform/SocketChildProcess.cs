using System.Collections;
using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// Starts a program whose stdin and stdout are a connected socket, as inetd does (and as stock's daemon serves each
/// connection in a forked child, socket.c: start_accept_loop). .NET cannot fork; posix_spawn with two dup2 actions
/// hands the socket over, and every other descriptor of ours is close-on-exec.
/// </summary>
internal static class SocketChildProcess
{
    // glibc's posix_spawn_file_actions_t is 80 bytes on 64-bit Linux; room to spare.
    private const int FileActionsSize = 256;

    /// <summary>Starts <paramref name="path"/> with <paramref name="argv"/> (argv[0] included); returns its pid.</summary>
    public static int Start(string path, IReadOnlyList<string> argv, SafeSocketHandle socket)
    {
        var owned = new List<nint>();
        nint actions = Marshal.AllocHGlobal(FileActionsSize);
        bool added = false;
        socket.DangerousAddRef(ref added);
        try
        {
            if (Interop.SpawnFileActionsInit(actions) != 0)
                throw new Win32Exception("posix_spawn_file_actions_init failed");
            int fd = (int)socket.DangerousGetHandle();
            Interop.SpawnFileActionsAddDup2(actions, fd, 0);
            Interop.SpawnFileActionsAddDup2(actions, fd, 1);
            nint file = Marshal.StringToCoTaskMemUTF8(path);
            owned.Add(file);
            nint args = Strings(argv, owned);
            var environment = new List<string>();
            foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
                environment.Add($"{e.Key}={e.Value}");
            nint envp = Strings(environment, owned);
            int error = Interop.PosixSpawn(out int pid, file, actions, 0, args, envp);
            Interop.SpawnFileActionsDestroy(actions);
            if (error != 0)
                throw new Win32Exception(error, $"posix_spawn {path} failed");
            return pid;
        }
        finally
        {
            if (added)
                socket.DangerousRelease();
            foreach (nint p in owned)
                Marshal.FreeCoTaskMem(p);
            Marshal.FreeHGlobal(actions);
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

    // A NULL-terminated char*[] of UTF-8 strings; every block allocated is added to owned.
    private static nint Strings(IReadOnlyList<string> values, List<nint> owned)
    {
        nint array = Marshal.AllocCoTaskMem((values.Count + 1) * IntPtr.Size);
        owned.Add(array);
        for (int i = 0; i < values.Count; i++)
        {
            nint s = Marshal.StringToCoTaskMemUTF8(values[i]);
            owned.Add(s);
            Marshal.WriteIntPtr(array, i * IntPtr.Size, s);
        }
        Marshal.WriteIntPtr(array, values.Count * IntPtr.Size, 0);
        return array;
    }
}
