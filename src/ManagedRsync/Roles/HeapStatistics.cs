using System.Globalization;

namespace ManagedRsync.Roles;

/// <summary>
/// --info=stats3: the block each role prints as it ends (rsync main.c: handle_stats calls show_malloc_stats in every
/// process, "RSYNC[PID] (ROLE) heap statistics:" and glibc's mallinfo() fields). mrsync's roles are threads of one
/// managed process whose memory glibc's heap counters do not describe, so its block keeps stock's shape (a blank line,
/// the header naming the role, "  TITLE:  NUMBER   (WHAT)" lines) with figures that are what they say: the bytes the
/// role's own thread allocated (the generator and the receiver run on threads of their own; the sender's steps
/// continue on pool threads, so it has no such figure), and the process's allocations, managed heap, collections
/// and resident memory at that moment.
/// </summary>
internal static class HeapStatistics
{
    /// <summary>Prints the block of <paramref name="role"/> ("sender", "receiver", "generator").</summary>
    /// <param name="log">Where the role's informational lines go (a server's reach its client as MSG_INFO).</param>
    /// <param name="options">The role's options: whether it is a server, a daemon's.</param>
    /// <param name="isServer">rsync's am_server.</param>
    /// <param name="role">rsync.c: who_am_i.</param>
    /// <param name="threadAllocated">What the role's thread allocated (GC.GetAllocatedBytesForCurrentThread), if it has one.</param>
    public static void Report(ITransferLog log, TransferOptions options, bool isServer, string role, long? threadAllocated)
    {
        if (!options.Info.Gte(InfoFlag.Stats, 3))
            return;
        // main.c: show_malloc_stats — rprintf(FCLIENT, "\n") first (a server's FCLIENT goes out as FINFO: log.c rwrite).
        log.Client("");
        string who = (isServer ? "server " : "") + (options.DaemonServer ? "daemon " : "") + role;
        log.Info(string.Create(CultureInfo.InvariantCulture, $"mrsync[{Environment.ProcessId}] ({who}) heap statistics:"));
        if (threadAllocated is { } own)
            log.Info(Line("thread", own, "bytes this role's thread allocated"));
        log.Info(Line("allocated", GC.GetTotalAllocatedBytes(precise: false), "bytes the process allocated so far"));
        log.Info(Line("inuse", GC.GetTotalMemory(forceFullCollection: false), "bytes in use on the managed heap"));
        log.Info(Line("collected", GC.CollectionCount(0), "garbage collections so far"));
        log.Info(Line("resident", Environment.WorkingSet, "bytes of the process in memory"));
    }

    // main.c: PRINT_ALLOC_NUM — "  %-11s%10d   (descr)" with the title's colon inside the 11 columns.
    private static string Line(string title, long value, string what) =>
        string.Create(CultureInfo.InvariantCulture, $"  {title + ":",-11}{value,10}   ({what})");
}
