using System.Buffers;
using CsCheck;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Properties;

/// <summary>
/// The file list, written by our sender (<see cref="FileListWriter"/>) and read by our receiver
/// (<see cref="FileListReader"/>), over random lists at protocols 28-32: every entry comes back with its name
/// byte for byte (names are random bytes, mostly not UTF-8, sharing random prefixes so the "same name" compression
/// is exercised), its type, permissions, size, time, nanoseconds (31+), owner, group, symlink target and device
/// numbers.
/// </summary>
public sealed class FileListPropertyTests
{
    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload) => Assert.Fail($"unexpected message {code}");
    }

    private const int Regular = 0x8000, Directory = 0x4000, Symlink = 0xA000, CharDevice = 0x2000, BlockDevice = 0x6000,
        Fifo = 0x1000, Socket = 0xC000;

    private static readonly Gen<byte[]> NameBytes = Gen.Byte[1, 255].Array[1, 60];

    // -U: access times, often one of a few (XMIT_SAME_ATIME), else any 62-bit value, negative too (a varlong of 4+ bytes).
    private static readonly Gen<long> AccessTimes =
        Gen.Select(Gen.Int[0, 5], Gen.Long[long.MinValue / 2, long.MaxValue / 2]).Select((k, v) => k < 4 ? k * 1_000_000_007L : v);

    private static Gen<FileEntry> Entry(int protocol) =>
        Gen.Select(Gen.OneOf(Regular, Regular, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket), Gen.Int[0, 0xFFF],
                Gen.Long[0, long.MaxValue / 2], Gen.Long[0, protocol >= 30 ? long.MaxValue / 2 : int.MaxValue],
                Gen.Int[0, 999_999_999], Gen.Int[0, 70_000], Gen.Int[0, 70_000], Gen.Select(Gen.Int[0, 4095], Gen.Int[0, 1 << 20], NameBytes, AccessTimes))
            .Select((type, perms, size, mtime, nsec, uid, gid, extra) => new FileEntry
            {
                Name = extra.Item3,
                Mode = type | perms,
                Size = size,
                ModTime = mtime,
                ModTimeNsec = protocol >= 31 ? nsec : 0,
                Uid = uid,
                Gid = gid,
                RdevMajor = type is CharDevice or BlockDevice ? extra.Item1 : 0,
                RdevMinor = type is CharDevice or BlockDevice ? extra.Item2 : 0,
                LinkTarget = type == Symlink ? extra.Item3 : null,
                AccessTime = type == Directory ? 0 : extra.Item4,
            });

    // Random lists whose names often repeat a prefix of the previous one (rsync's XMIT_SAME_NAME).
    private static Gen<(int Protocol, FileEntry[] Entries)> Lists =>
        Gen.Int[28, 32].SelectMany(protocol => Gen.Select(Entry(protocol).Array[1, 40], Gen.Int[0, 60].Array[40])
            .Select((entries, prefixes) =>
            {
                for (int i = 1; i < entries.Length; i++)
                {
                    byte[] previous = entries[i - 1].Name;
                    int shared = Math.Min(prefixes[i], previous.Length);
                    entries[i] = With(entries[i], [.. previous.AsSpan(0, shared), .. entries[i].Name]);
                }
                return (protocol, entries);
            }));

    private static FileEntry With(FileEntry e, byte[] name) => new()
    {
        Name = name, Mode = e.Mode, Size = e.Size, ModTime = e.ModTime, ModTimeNsec = e.ModTimeNsec, Uid = e.Uid, Gid = e.Gid,
        RdevMajor = e.RdevMajor, RdevMinor = e.RdevMinor, LinkTarget = e.LinkTarget, AccessTime = e.AccessTime,
    };

    // Random lists in which some entries are hard links to an earlier non-directory (its attributes, its device and
    // inode, as the sender's stat gives them) and others are unlinked twins of an earlier entry (the same attributes,
    // so that the "same as previous" flags come into play after a link), protocols 28-32 with -H: from protocol 30 a
    // link travels as its leader's index only, and what follows it is compressed against the leader's values.
    private static Gen<(int Protocol, FileEntry[] Entries)> HardLinkedLists =>
        Gen.Select(Lists, Gen.Int[-40, 39].Array[40], Gen.Bool.Array[40]).Select((list, others, linkNotTwin) =>
        {
            var (protocol, entries) = list;
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i].Dev = 7;
                entries[i].Ino = 1000 + i;
                entries[i].Nlink = 1;
                int other = others[i];
                if (other < 0 || other >= i || (linkNotTwin[i] && (entries[other].IsDirectory || entries[i].IsDirectory)))
                    continue;
                FileEntry o = entries[other];
                entries[i] = new FileEntry
                {
                    Name = entries[i].Name, Mode = o.Mode, Size = o.Size, ModTime = o.ModTime, ModTimeNsec = o.ModTimeNsec,
                    Uid = o.Uid, Gid = o.Gid, RdevMajor = o.RdevMajor, RdevMinor = o.RdevMinor, LinkTarget = o.LinkTarget,
                    AccessTime = o.AccessTime, Dev = 7, Ino = linkNotTwin[i] ? o.Ino : 1000 + i, Nlink = 1,
                };
                if (linkNotTwin[i])
                    entries[(int)(o.Ino - 1000)].Nlink++;
            }
            for (int i = 0; i < entries.Length; i++)
                entries[i].Nlink = entries[(int)(entries[i].Ino - 1000)].Nlink;
            return (protocol, entries);
        });

    [Fact]
    public void WrittenListReadsBackEntryForEntry() =>
        Lists.Sample(list => AssertReadsBack(list.Protocol, list.Entries, TransferOptions.Archive), iter: 2_000);

    /// <summary>
    /// variety (rsync's testsuite, mrsync as the receiving server with -H): an entry after a hard-link follower
    /// carries XMIT_SAME_MODE/TIME/UID/GID against the leader's values; read against the entry before the follower,
    /// a regular file after a follower that came after a symlink read as a symlink ("empty ... target").
    /// </summary>
    [Fact]
    public void HardLinkedListReadsBackEntryForEntryAndGroupForGroup() =>
        HardLinkedLists.Sample(list =>
        {
            var (protocol, entries) = list;
            var back = AssertReadsBack(protocol, entries, TransferOptions.Archive with { HardLinks = true });
            for (int i = 0; i < entries.Length; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    bool linked = entries[i].Nlink > 1 && !entries[i].IsDirectory && entries[j].Ino == entries[i].Ino;
                    bool linkedBack = back[i].Dev != -1 && (back[i].Dev, back[i].Ino) == (back[j].Dev, back[j].Ino);
                    Assert.Equal(linked, linkedBack);
                }
            }
        }, iter: 2_000);

    /// <summary>
    /// -U (flist.c: send_file_entry / recv_file_entry): every non-directory's access time after its mode, left out when
    /// it repeats the previous one (XMIT_SAME_ATIME); a hard link's abbreviated entry takes its leader's, and what
    /// follows it is compressed against that.
    /// </summary>
    [Fact]
    public void AccessTimesReadBack()
    {
        static void Check(int protocol, FileEntry[] entries, List<FileEntry> back)
        {
            for (int i = 0; i < entries.Length; i++)
                Assert.Equal(entries[i].IsDirectory ? 0 : entries[i].AccessTime, back[i].AccessTime);
        }
        Lists.Sample(list => Check(list.Protocol, list.Entries,
            AssertReadsBack(list.Protocol, list.Entries, TransferOptions.Archive with { Atimes = true })), iter: 1_000);
        HardLinkedLists.Sample(list => Check(list.Protocol, list.Entries,
            AssertReadsBack(list.Protocol, list.Entries, TransferOptions.Archive with { Atimes = true, HardLinks = true })), iter: 1_000);
    }

    /// <summary>
    /// The entries the reader's buffered decoder leaves to the field readers, beside those it takes: with incremental
    /// recursion an owner's or group's name follows the first entry of each id (XMIT_USER_NAME_FOLLOWS, protocol 30+);
    /// and -c's sums, --chmod applied to the "same mode" value, -R's absolute names.
    /// </summary>
    [Fact]
    public void NamesSumsAndModesReadBackWholeOrFewBytesAtATime()
    {
        var names = new FewAccountNames();
        Lists.Sample(list =>
        {
            if (list.Protocol < 30)
                return;
            for (int i = 0; i < list.Entries.Length; i++)
            {
                list.Entries[i].Uid %= 4;
                list.Entries[i].Gid %= 4;
                list.Entries[i].Checksum = list.Entries[i].IsRegular ? [.. Enumerable.Range(i, 16).Select(b => (byte)b)] : null;
            }
            AssertReadsBack(list.Protocol, list.Entries, TransferOptions.Archive with { AccountNames = names, AlwaysChecksum = true },
                CompatFlags.IncRecurse, checksums: true);
        }, iter: 1_000);
        Lists.Sample(list =>
        {
            var chmod = new ChmodRules();
            Assert.True(chmod.TryAdd("Dg+w,Fo-r,u+x", 0x12));
            var options = TransferOptions.Archive with { Chmod = chmod, Relative = true };
            foreach (FileEntry e in list.Entries)
                e.Name[0] = (byte)'/';
            var flags = list.Protocol >= 30 ? CompatFlags.VarintFlistFlags | CompatFlags.SafeFlist : CompatFlags.None;
            var session = new SessionParameters(list.Protocol, flags, 0, "md5", "none");
            var writer = new FileListWriter(session, TransferOptions.Archive);
            var w = new ArrayBufferWriter<byte>();
            for (int i = 0; i < list.Entries.Length; i++)
                writer.Write(w, list.Entries[i], i);
            writer.WriteEnd(w, ioError: 0);
            byte[] wire = w.WrittenSpan.ToArray();
            List<FileEntry> back = ReadBack(new MemoryStream(wire), session, options);
            AssertSameEntries(back, ReadBack(new TrickleStream(wire, seed: wire.Length), session, options));
            // (The modes: --chmod changes the "same mode" value too, so a run of equal modes is changed again and again.)
            for (int i = 0; i < back.Count; i++)
                Assert.Equal(list.Entries[i].Name.AsSpan().TrimStart((byte)'/').ToArray(), back[i].Name);
        }, iter: 500);
    }

    private static List<FileEntry> AssertReadsBack(int protocol, FileEntry[] entries, TransferOptions options,
        CompatFlags extra = CompatFlags.None, bool checksums = false)
    {
        var flags = (protocol >= 30 ? CompatFlags.VarintFlistFlags | CompatFlags.SafeFlist : CompatFlags.None) | extra;
        var session = new SessionParameters(protocol, flags, 0, "md5", "none");
        var writer = new FileListWriter(session, options);
        var w = new ArrayBufferWriter<byte>();
        for (int i = 0; i < entries.Length; i++)
            writer.Write(w, entries[i], i);
        writer.WriteEnd(w, ioError: 0);

        byte[] wire = w.WrittenSpan.ToArray();
        List<FileEntry> back = ReadBack(new MemoryStream(wire), session, options);
        // The same bytes a few at a time: entries the buffer ends in are read field by field, the others decoded from
        // the buffer whole (FileListReader.TryReadBuffered); both ways give the same entries.
        List<FileEntry> trickled = ReadBack(new TrickleStream(wire, seed: wire.Length), session, options);
        AssertSameEntries(back, trickled);

        Assert.Equal(entries.Length, back.Count);
        for (int i = 0; i < entries.Length; i++)
        {
            FileEntry sent = entries[i], got = back[i];
            Assert.Equal(sent.Name, got.Name);
            Assert.Equal(sent.Mode, got.Mode);
            Assert.Equal(sent.Size, got.Size);
            Assert.Equal(sent.ModTime, got.ModTime);
            Assert.Equal(sent.ModTimeNsec, got.ModTimeNsec);
            Assert.Equal(sent.Uid, got.Uid);
            Assert.Equal(sent.Gid, got.Gid);
            Assert.Equal(sent.LinkTarget, got.LinkTarget);
            if ((sent.Mode & 0xF000) is CharDevice or BlockDevice)
                Assert.Equal((sent.RdevMajor, sent.RdevMinor), (got.RdevMajor, got.RdevMinor));
            if (checksums && sent.IsRegular)
                Assert.Equal(sent.Checksum, got.Checksum);
        }
        return back;
    }

    private static List<FileEntry> ReadBack(Stream stream, SessionParameters session, TransferOptions options)
    {
        var input = new MultiplexReader(stream, new NoMessages());
        try
        {
            return new FileListReader(input, session, options, 16).ReadAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            input.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // Every field the reader sets.
    internal static void AssertSameEntries(List<FileEntry> expected, List<FileEntry> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            FileEntry e = expected[i], a = actual[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal((e.Mode, e.Size, e.ModTime, e.ModTimeNsec, e.AccessTime, e.Uid, e.Gid, e.RdevMajor, e.RdevMinor),
                (a.Mode, a.Size, a.ModTime, a.ModTimeNsec, a.AccessTime, a.Uid, a.Gid, a.RdevMajor, a.RdevMinor));
            Assert.Equal((e.Dev, e.Ino, e.IsTopDir, e.IsNoContentDir, e.XattrIndex), (a.Dev, a.Ino, a.IsTopDir, a.IsNoContentDir, a.XattrIndex));
            Assert.Equal(e.LinkTarget, a.LinkTarget);
            Assert.Equal(e.Checksum, a.Checksum);
        }
    }

    // Names for ids 0-2, none for 3.
    private sealed class FewAccountNames : IAccountNames
    {
        public string? UserName(int uid) => uid < 3 ? $"user{uid}" : null;
        public string? GroupName(int gid) => gid < 3 ? $"group{gid}" : null;
        public int? UserId(string name) => null;
        public int? GroupId(string name) => null;
    }

    // Gives what it holds 1 to 7 bytes per read.
    private sealed class TrickleStream(byte[] bytes, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _at;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, _random.Next(1, 8)), bytes.Length - _at);
            bytes.AsSpan(_at, n).CopyTo(buffer);
            _at += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => bytes.Length;
        public override long Position { get => _at; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
