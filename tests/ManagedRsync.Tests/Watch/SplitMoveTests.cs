using System.Buffers.Binary;
using System.Text;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// A directory renamed inside the tree whose IN_MOVED_FROM and IN_MOVED_TO come in two reads (the kernel queues them
/// one after the other within the rename, and a loaded reader can read between them): still one rename, the moved
/// directory's watch kept under its new name, as inotifywait keeps it. Records are handed to a watcher with no reader
/// thread, laid out as the kernel lays them out (inotify(7)), with the watch descriptors a fresh instance gives out.
/// </summary>
public sealed class SplitMoveTests : IDisposable
{
    private const uint MovedFrom = 0x40, MovedTo = 0x80, Create = 0x100, IsDir = 0x40000000;
    private readonly TempTree _tree = new();
    private readonly ChangeCollector _seen = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void A_move_split_across_two_reads_is_one_rename_and_keeps_the_watch()
    {
        Directory.CreateDirectory(_tree["d"]);
        using var watcher = new TreeWatcher(_tree.Root, new TreeWatcherOptions { Backend = WatchBackend.Inotify, WithoutReader = true }, _seen);
        watcher.Start();
        Directory.Move(_tree["d"], _tree["e"]);
        // A fresh inotify instance numbers its watches from 1: the root, then "d".
        watcher.Feed(Event(1, MovedFrom | IsDir, 7, "d"));
        watcher.Feed(Event(1, MovedTo | IsDir, 7, "e"));
        watcher.Feed(Event(2, Create, 0, "x"));

        string[] seen = [.. _seen.Changes.Select(c => $"{c.Kind} {c.Path}")];
        Assert.Contains("Deleted d", seen);
        Assert.Contains("SubtreeDirty e", seen); // a rename within the tree, not a directory that arrived from outside
        Assert.Contains("Changed e/x", seen);    // the moved directory's watch now reports under its new name
    }

    // struct inotify_event: wd, mask, cookie, len, then the name padded with NULs to a multiple of 4 (inotify(7)).
    private static byte[] Event(int wd, uint mask, uint cookie, string name)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(name);
        int len = (bytes.Length + 1 + 3) & ~3;
        byte[] record = new byte[16 + len];
        BinaryPrimitives.WriteInt32LittleEndian(record, wd);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), mask);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), cookie);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)len);
        bytes.CopyTo(record, 16);
        return record;
    }
}
