using ManagedRsync.InteropTests.Push;
using Xunit.Sdk;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// Waits for a replica to equal its source, file by file (names, types, content, mode, mtime to the nanosecond
/// except where a stock receiver's whole-second quick check keeps an equal file's first time, symlink targets:
/// <see cref="TreeAssert"/>). The assertion is convergence; the deadline only keeps a broken watcher
/// from hanging the run, so it is generous.
/// </summary>
internal static class Converge
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static async Task WaitAsync(string source, string replica, Func<string> explain)
    {
        var end = DateTime.UtcNow + Deadline;
        while (DateTime.UtcNow < end)
        {
            if (Equal(source, replica))
                return;
            await Task.Delay(25);
        }
        try
        {
            TreeAssert.Equal(source, replica, nanoseconds: true, quickCheckNanoseconds: true);
        }
        catch (XunitException ex)
        {
            throw new XunitException($"the replica did not converge within {Deadline.TotalSeconds} s: {ex.Message}\n{explain()}");
        }
    }

    /// <summary>Waits for a condition on the replica (where equality with the source is not the point).</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Func<string> explain, TimeSpan? deadline = null)
    {
        TimeSpan limit = deadline ?? Deadline;
        var end = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < end)
        {
            if (condition())
                return;
            await Task.Delay(25);
        }
        throw new XunitException($"within {limit.TotalSeconds} s, never: {what}\n{explain()}");
    }

    private static bool Equal(string source, string replica)
    {
        if (!Directory.Exists(replica))
            return false;
        try
        {
            TreeAssert.Equal(source, replica, nanoseconds: true, quickCheckNanoseconds: true);
            return true;
        }
        catch (XunitException)
        {
            return false; // not yet (or a file vanished under the scan)
        }
        catch (IOException)
        {
            return false;
        }
    }
}
