using System.Runtime.InteropServices;
using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// "lock file" opened as stock 3.5.0's claim_connection opens it (syscall.c: open_no_attacker_symlinks): a symlink
/// another user planted on the way is refused, never followed to create a file where it points (upstream
/// daemon-config-symlink); one we own is followed; a missing file is made.
/// </summary>
public class ConnectionSlotsTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, uint owner, uint group);

    [DllImport("libc")]
    private static extern uint geteuid();

    [Fact]
    public void A_lock_file_symlink_another_user_planted_is_refused()
    {
        string dir = Directory.CreateTempSubdirectory("mrsync-lock-").FullName;
        try
        {
            string victim = Path.Combine(dir, "victim", "leaked_lockfile");
            Directory.CreateDirectory(Path.GetDirectoryName(victim)!);
            string plant = Path.Combine(dir, "plant");
            File.CreateSymbolicLink(plant, victim);
            // The planting user: nobody (the daemon tests run as root, as stock's test does).
            Assert.True(geteuid() == 0, "this test plants a symlink owned by another user: run it as root");
            Assert.Equal(0, lchown(plant, 65534, 65534));
            Assert.Throws<IOException>(() => ConnectionSlots.TryClaim(plant, 2));
            Assert.False(File.Exists(victim));

            // Our own link is followed, and the missing file it names is made.
            string ours = Path.Combine(dir, "ours");
            File.CreateSymbolicLink(ours, victim);
            using (IDisposable? slot = ConnectionSlots.TryClaim(ours, 2))
                Assert.NotNull(slot);
            Assert.True(File.Exists(victim));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
