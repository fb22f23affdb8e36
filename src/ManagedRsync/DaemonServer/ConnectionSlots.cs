namespace ManagedRsync.DaemonServer;

/// <summary>
/// "max connections" with its "lock file", as rsync counts them (connection.c: claim_connection): slot i is the 4-byte
/// record at offset 4*i of the lock file, held with a POSIX record lock for the connection's life, so daemons sharing
/// the lock file (an inetd daemon per connection) count together. One process holds POSIX locks on its own without
/// conflict, so the slots this process holds are also kept in memory.
/// </summary>
internal static class ConnectionSlots
{
    private static readonly Dictionary<string, HashSet<int>> s_held = new(StringComparer.Ordinal);

    /// <summary>A held slot, or null when all <paramref name="max"/> are taken; IOException when the lock file fails.</summary>
    public static IDisposable? TryClaim(string lockFile, int max)
    {
        if (max <= 0)
            return new Slot(null, null, -1);
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("max connections needs POSIX record locks (Linux)");
        // connection.c: claim_connection opens it through syscall.c: open_no_attacker_symlinks (3.5.0): a symlink on
        // the way that another user owns (planted in a directory they can write) is refused with ELOOP, never followed
        // to create a root-owned file where they point.
        Platform.OwnerCheckedOpen.Result opened = Platform.OwnerCheckedOpen.Open(lockFile,
            Platform.Interop.O_RDWR | Platform.Interop.O_CREAT, 0x180 /* 0600 */);
        if (opened.Handle is not { } handle)
            throw new IOException($"{System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(opened.Errno)} ({opened.Errno})");
        var file = new FileStream(handle, FileAccess.ReadWrite, 1);
        lock (s_held)
        {
            if (!s_held.TryGetValue(lockFile, out HashSet<int>? held))
                s_held[lockFile] = held = [];
            for (int i = 0; i < max; i++)
            {
                if (held.Contains(i))
                    continue;
                try
                {
                    file.Lock(i * 4L, 4);
                }
                catch (IOException)
                {
                    continue;
                }
                held.Add(i);
                return new Slot(file, lockFile, i);
            }
        }
        file.Dispose();
        return null;
    }

    private sealed class Slot(FileStream? file, string? lockFile, int index) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            if (_released || file is null)
                return;
            _released = true;
            lock (s_held)
            {
                s_held[lockFile!].Remove(index);
            }
            file.Dispose();
        }
    }
}
