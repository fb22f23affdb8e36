using System.Buffers.Binary;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// The fanotify record decoder on hand-built buffers laid out as fanotify(7) describes them (metadata, then
/// fanotify_event_info_fid records with a file_handle and a NUL-terminated name): good records decode in place, and
/// every length the kernel supplies is checked, so a malformed record is an error and never a read past the buffer.
/// </summary>
public sealed class FanotifyEventDecoderTests
{
    private static byte[] Fid(byte type, byte[] handle, string? name, int handleType = 1) => FanotifyRecords.Fid(type, handle, name, handleType);

    private static byte[] Event(ulong mask, int pid, params byte[][] records) => FanotifyRecords.Event(mask, pid, records);

    private const ulong Create = 0x100, Rename = 0x10000000, OnDir = 0x40000000, Overflow = 0x4000;
    private const byte DfidName = 2, OldDfidName = 10, NewDfidName = 12, Pidfd = 4;

    private static readonly byte[] DirA = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly byte[] DirB = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

    [Fact]
    public void DecodesCreateRenameAndOverflowInPlace()
    {
        byte[] buffer = [.. Event(Create | OnDir, 42, Fid(DfidName, DirA, "new dir")),
            .. Event(Rename, 43, Fid(OldDfidName, DirA, "old"), Fid(NewDfidName, DirB, "n\xe9w")),
            .. Event(Overflow, 0)];
        var seen = new List<string>();
        foreach (FanotifyEvent e in new FanotifyEventEnumerator(buffer))
        {
            if (e.IsOverflow)
                seen.Add("overflow");
            else if (e.IsRename)
            {
                Assert.Equal(43, e.Pid);
                Assert.Equal(8 + DirA.Length, e.OldDirectory.Length);
                Assert.True(e.OldDirectory[8..].SequenceEqual(DirA));
                Assert.True(e.NewDirectory[8..].SequenceEqual(DirB));
                Assert.Equal(DirB.Length, BinaryPrimitives.ReadInt32LittleEndian(e.NewDirectory));
                seen.Add($"rename {System.Text.Encoding.UTF8.GetString(e.OldName)} -> {System.Text.Encoding.UTF8.GetString(e.NewName)}");
            }
            else
            {
                Assert.True(e.IsDirectory);
                Assert.Equal(42, e.Pid);
                Assert.True(e.Directory[8..].SequenceEqual(DirA));
                seen.Add("create " + System.Text.Encoding.UTF8.GetString(e.Name));
            }
        }
        Assert.Equal(["create new dir", "rename old -> n\xe9w", "overflow"], seen);
    }

    [Fact]
    public void SkipsInfoRecordsItDoesNotUse()
    {
        byte[] pidfd = new byte[8];
        pidfd[0] = Pidfd;
        BinaryPrimitives.WriteUInt16LittleEndian(pidfd.AsSpan(2), 8);
        byte[] buffer = Event(Create, 1, pidfd, Fid(DfidName, DirA, "f"));
        FanotifyEventEnumerator walk = new(buffer);
        Assert.True(walk.MoveNext());
        Assert.True(walk.Current.Name.SequenceEqual("f"u8));
        Assert.False(walk.MoveNext());
    }

    [Fact]
    public void DecodingAllocatesNothing()
    {
        byte[] buffer = [.. Event(Create, 1, Fid(DfidName, DirA, "a")), .. Event(Rename, 1, Fid(OldDfidName, DirA, "b"), Fid(NewDfidName, DirB, "c"))];
        for (int i = 0; i < 200; i++)
            _ = Walk(buffer); // past tiered compilation, whose own allocations would be counted
        // Two measured batches: a late tier-up on this thread allocates once, in one of them only (FanotifyFilterCostTests).
        long allocated = long.MaxValue;
        for (int batch = 0; batch < 2; batch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int total = 0;
            for (int i = 0; i < 1000; i++)
                total += Walk(buffer);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Equal(2000, total);
        }
        Assert.Equal(0, allocated);
    }

    private static int Walk(byte[] buffer)
    {
        int n = 0;
        foreach (FanotifyEvent e in new FanotifyEventEnumerator(buffer))
            n += e.Name.Length + e.NewName.Length;
        return n;
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        byte[] good = Event(Create, 1, Fid(DfidName, DirA, "name"));
        byte[] Patched(Action<byte[]> patch)
        {
            byte[] b = (byte[])good.Clone();
            patch(b);
            return b;
        }
        return new TheoryData<string, byte[]>
        {
            { "header truncated", good[..20] },
            { "event_len past the buffer", good[..^4] },
            { "event_len below metadata_len", Patched(b => BinaryPrimitives.WriteUInt32LittleEndian(b, 16)) },
            { "metadata_len below the header", Patched(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), 8)) },
            { "metadata_len past event_len", Patched(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), 200)) },
            { "unknown metadata version", Patched(b => b[4] = 2) },
            { "info record length zero (would loop)", Patched(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24 + 2), 0)) },
            { "info record length past the event", Patched(b => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24 + 2), 200)) },
            { "info header truncated", Event(Create, 1, [DfidName, 0]) },
            { "fid record shorter than fsid + file_handle", Event(Create, 1, [DfidName, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0]) },
            { "handle_bytes past the record", Patched(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24 + 12), 64)) },
            { "handle_bytes over MAX_HANDLE_SZ", Patched(b => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24 + 12), 0xFFFFFFF0)) },
            { "name without NUL", Patched(b => b.AsSpan(24 + 20 + DirA.Length).Fill((byte)'x')) },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedRecordsAreErrorsNotOverruns(string what, byte[] buffer)
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (FanotifyEvent e in new FanotifyEventEnumerator(buffer))
                _ = e.Name.Length;
        });
        Assert.Contains("fanotify", ex.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }
}
