using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using ManagedRsync.Watch;
using Xunit.Abstractions;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// What the fanotify source pays for the events of other writers on the file system (its mark covers all of it):
/// records naming directories outside the tree, laid out as the kernel lays them out with the real handles of real
/// directories, are handed to a watcher with no reader thread. Dropping them allocates nothing and resolves no handle
/// twice, a move wholly outside the tree keeps the cache, and the same records naming the tree are reported (so the
/// filter is not simply dropping everything). Needs root, as CI runs it (a file-system mark needs CAP_SYS_ADMIN).
/// </summary>
public sealed class FanotifyFilterCostTests(ITestOutputHelper output) : IDisposable
{
    private const ulong Modify = 0x2, CloseWrite = 0x8, Create = 0x100, Rename = 0x10000000, OnDir = 0x40000000;
    private const byte DfidName = 2, OldDfidName = 10, NewDfidName = 12;

    private readonly TempTree _tree = new();
    private readonly TempTree _outside = new(); // a sibling on the same file system
    private readonly ChangeCollector _seen = new();

    public void Dispose()
    {
        _tree.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public void EventsOutsideTheTreeAreDroppedWithoutAllocatingOrResolvingAgain()
    {
        Directory.CreateDirectory(_outside["a"]);
        Directory.CreateDirectory(_outside["b/x"]);
        Directory.CreateDirectory(_tree["in"]);
        using var watcher = new TreeWatcher(_tree.Root, new TreeWatcherOptions { Backend = WatchBackend.Fanotify, WithoutReader = true }, _seen);
        watcher.Start();
        Assert.Equal(WatchBackend.Fanotify, watcher.Backend);

        byte[] a = HandleOf(_outside["a"]), b = HandleOf(_outside["b"]), inTree = HandleOf(_tree["in"]);
        // A writer filling a (a run from one directory), now and then one in b, and directories renamed between the two.
        var records = new List<byte>();
        for (int i = 0; i < 1000; i++)
        {
            records.AddRange(Event(Create | Modify | CloseWrite, 4242, Fid(DfidName, i % 10 == 9 ? b : a, $"f{i:D4}")));
            if (i % 100 == 50)
                records.AddRange(Event(Rename | OnDir, 4242, Fid(OldDfidName, b, "x"), Fid(NewDfidName, a, "x")));
        }
        byte[] outside = [.. records];

        watcher.Feed(outside);
        watcher.Feed(outside); // warm: both handles resolved once, every path jitted
        Assert.Equal(2, watcher.DirectoryResolutions);

        // Two measured batches of 51,000 events: the runtime may allocate once on this thread while it promotes the
        // hot methods (tiered compilation: 232 and 4,792 bytes were seen in CI runs), which lands in one batch only;
        // an allocation per event would be 51,000 of them in each.
        const int Rounds = 50;
        long allocated = long.MaxValue;
        for (int batch = 0; batch < 2; batch++)
        {
            var clock = Stopwatch.StartNew();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int round = 0; round < Rounds; round++)
                watcher.Feed(outside);
            long batchBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            clock.Stop();
            output.WriteLine($"{Rounds * 1020} outside events: {batchBytes} bytes allocated, {clock.Elapsed.TotalNanoseconds / (Rounds * 1020):0} ns each");
            allocated = Math.Min(allocated, batchBytes);
        }
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for {Rounds * 1020} events in the quieter batch");
        Assert.Equal(2, watcher.DirectoryResolutions); // the renames outside kept the cache
        Assert.Empty(_seen.Changes);

        // The same records naming a directory in the tree are changes.
        watcher.Feed(Event(Create | CloseWrite, 4242, Fid(DfidName, inTree, "f0001")));
        Assert.True(_seen.Saw(ChangeKind.Changed, "in/f0001"));

        // A directory moved from outside into the tree: every cached verdict may be wrong now, so all are dropped.
        long resolved = watcher.DirectoryResolutions;
        watcher.Feed(Event(Rename | OnDir, 4242, Fid(OldDfidName, a, "moved"), Fid(NewDfidName, inTree, "moved")));
        Assert.True(_seen.Saw(ChangeKind.SubtreeDirty, "in/moved"));
        watcher.Feed(Event(Create, 4242, Fid(DfidName, a, "after")));
        Assert.True(watcher.DirectoryResolutions > resolved, "the cache was kept after a directory moved into the tree");
    }

    private static byte[] HandleOf(string path) =>
        FanotifyInstance.HandleOf(Encoding.UTF8.GetBytes(path), out int errno) ?? throw new InvalidOperationException($"name_to_handle_at {path}: errno {errno}");

    /// <summary>A DFID_NAME-style record for the directory whose whole <c>struct file_handle</c> is <paramref name="handle"/>.</summary>
    private static byte[] Fid(byte type, byte[] handle, string name) =>
        FanotifyRecords.Fid(type, handle[8..], name, BinaryPrimitives.ReadInt32LittleEndian(handle.AsSpan(4)));

    private static byte[] Event(ulong mask, int pid, params byte[][] records) => FanotifyRecords.Event(mask, pid, records);
}
