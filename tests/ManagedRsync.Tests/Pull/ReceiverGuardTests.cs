using System.Buffers;
using System.Buffers.Binary;
using ManagedRsync.Roles;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// Every protocol-violation guard on the receiving side of a pull, reached through the scripted hostile daemon: one
/// case per guard, each asserting the guard's own message and rsync's exit code (12, RERR_STREAMIO, unless stated),
/// so that an unrelated failure (a broken handshake, a script error) cannot pass for the guard. Every case also
/// checks the sandbox (<see cref="HostilePull"/>): nothing outside the destination opened or changed, no temp file,
/// the existing file intact.
/// </summary>
public sealed class ReceiverGuardTests : IDisposable
{
    private readonly HostilePull _pull = new();

    public void Dispose() => _pull.Dispose();

    private async Task AssertRefused(HostileDaemon daemon, string message, RsyncExitCode exit = RsyncExitCode.StreamIo,
        TransferOptions? options = null)
    {
        var e = await _pull.ExpectFailureAsync(daemon, options: options);
        Assert.Equal(message, e.Message);
        Assert.Equal(exit, e.ExitCode);
    }

    // "." and "existing.txt" (listed at 50 bytes, so the client asks for it), then what the script sends.
    private static HostileDaemon AfterList(Func<HostileSession, CancellationToken, Task> then) =>
        HostileDaemon.SendingFileList(
            l => l.Add(".", HostileFileList.Directory).Add("existing.txt", HostileFileList.Regular, 50).End(), then);

    private static HostileDaemon Sending(Action<ArrayBufferWriter<byte>> write) =>
        AfterList((s, ct) =>
        {
            var bytes = new ArrayBufferWriter<byte>();
            write(bytes);
            return s.SendDataAsync(bytes.WrittenMemory, ct);
        });

    private static HostileDaemon Listing(Action<HostileFileList> build) => HostileDaemon.SendingFileList(build);

    private static void Indexes(ArrayBufferWriter<byte> w, params int[] indexes)
    {
        var codec = new NdxCodec(32);
        foreach (int ndx in indexes)
            codec.Write(w, ndx);
    }

    // --- Session setup (SessionSetup.RunAsync) ---

    [Fact]
    public Task IncrementalRecursionTurnedOnByTheDaemon() =>
        AssertRefused(new HostileDaemon((s, ct) => s.HandshakeAsync(ct, compatFlags: 0x80 | 0x20 | 0x08 | 0x01)),
            "the daemon turned on incremental recursion, which we did not offer",
            options: TransferOptions.Archive with { IncrementalRecursion = false });

    [Fact]
    public Task NegotiationStringOverTheLimit() =>
        AssertRefused(new HostileDaemon((s, ct) => s.HandshakeAsync(ct, checksumList: [0x81, 0x00, .. new byte[256]])),
            "negotiation string of 256 bytes from the daemon exceeds 256");

    [Fact]
    public Task NoChecksumInCommon() =>
        AssertRefused(new HostileDaemon((s, ct) => s.HandshakeAsync(ct, checksumList: [4, .. "crc9"u8])),
            "Failed to negotiate a checksum choice.\nServer checksum list: crc9\n" +
            "Client checksum list: xxh128 xxh3 xxh64 md5 md4 sha1", RsyncExitCode.Unsupported);

    // --- File list (FileListReader) ---

    [Fact]
    public Task NameLongerThanMaxPathLen() =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory)
                .Add("x"u8.ToArray(), HostileFileList.Regular, 1, null, declaredNameLength: 4096)),
            "file-list name overflow: shared 0 of 1, new 4096 bytes");

    [Theory]
    // flist.c: recv_file_entry — out of range is RERR_PROTOCOL (exit 2).
    [InlineData(5, "hard-link reference out of range: 5 (1)", RsyncExitCode.Protocol)]
    [InlineData(-1, "hard-link reference out of range: -1 (1)", RsyncExitCode.Protocol)]
    [InlineData(0, "hard link to directory \".\"", RsyncExitCode.StreamIo)]
    public Task HardLinkToAnythingButAnEarlierFile(int first, string message, RsyncExitCode exit) =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory)
            .Add("link"u8.ToArray(), HostileFileList.Regular, 0, null, hardLinkTo: first)), message, exit);

    [Fact]
    public Task NegativeFileSize() =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory).Add("f", HostileFileList.Regular, -5)),
            "negative file size -5 for \"f\"");

    [Fact]
    public Task NanosecondsOfASecondOrMore() =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory)
                .Add("f"u8.ToArray(), HostileFileList.Regular, 1, null, nanoseconds: 1_000_000_000)),
            "modification time nanoseconds 1000000000 out of range");

    [Theory]
    [InlineData(0x1A4, "file mode 0644 has no valid file type")]
    [InlineData(0xF000 | 0x1A4, "file mode 0170644 has no valid file type")]
    public Task ModeWithoutAValidFileType(int mode, string message) =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory).Add("f", mode, 1)), message);

    [Theory]
    [InlineData(0)]
    [InlineData(4096)]
    [InlineData(1 << 30)]
    public Task SymlinkTargetLengthOutOfRange(int length) =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory)
                .Add("l"u8.ToArray(), HostileFileList.Symlink, 1, "t"u8.ToArray(), declaredLinkLength: length)),
            $"symlink target length {length} out of range");

    [Fact]
    public Task UserIdListOverAMillion() =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory).End(userIds: 1_000_002)),
            "id list longer than a million entries");

    [Fact]
    public Task FlagsVarintOverflow() =>
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory).Raw([0xFC, 1, 2, 3, 4, 5, 6, 7])),
            "Overflow in varint from peer");

    [Fact]
    public Task ModificationTimeVarlongOverflow() =>
        // flags, name length 1, "f", size 0 as varlong(3), then the mtime varlong(4) whose first byte claims six more
        // bytes: ten in all, past a 64-bit value (rsync io.c: read_varlong, "Overflow in read_varlong()"). A varlong(3)
        // can claim at most nine, so the modification time is where this guard can be reached.
        AssertRefused(Listing(l => l.Add(".", HostileFileList.Directory)
                .Raw([0x04, 1, (byte)'f', 0, 0, 0, 0xFC, 0, 0, 0, 1, 2, 3, 4, 5, 6])),
            "Overflow in varlong from peer");

    // --- The receiver (PullSession.Receiver, PullSession.Phases) ---

    [Fact]
    public Task IndexPastTheFileList() =>
        AssertRefused(Sending(w => Indexes(w, 5)), "Invalid file index: 5 (-1 - 1)");

    [Fact]
    public Task IndexOfAFurtherFileListSegment() =>
        // NDX_FLIST_OFFSET: with incremental recursion, the first index of another file-list segment; we have one.
        AssertRefused(Sending(w => Indexes(w, Ndx.FlistOffset)), "Invalid file index: -101 (-1 - 1)");

    [Fact]
    public Task EndOfFileListSegmentMarker() =>
        AssertRefused(Sending(w => Indexes(w, Ndx.FlistEof)), "Invalid file index: -2 (-1 - 1)");

    [Fact]
    public Task BasisTypeWeNeverOffered() =>
        AssertRefused(Sending(w =>
        {
            Indexes(w, 1);
            w.WriteUInt16((ushort)(ItemChanges.Transfer | ItemChanges.BasisTypeFollows));
            w.WriteByte(0x01); // FNAMECMP_PARTIAL_DIR
        }), "basis type 0x01 for \"existing.txt\", which we never offered");

    [Fact]
    public Task AlternateBasisNameWeNeverOffered() =>
        AssertRefused(Sending(w =>
        {
            Indexes(w, 1);
            w.WriteUInt16((ushort)(ItemChanges.Transfer | ItemChanges.OtherNameFollows));
        }), "alternate basis name for \"existing.txt\", which we never offered");

    [Fact]
    public Task FileWeNeverAskedFor() =>
        AssertRefused(Sending(w =>
        {
            Indexes(w, 0); // the transfer root "."
            w.WriteUInt16((ushort)ItemChanges.Transfer);
        }), "the daemon sent \".\", which we did not ask for");

    // The echoed sum header is validated before it is compared with ours (rsync io.c: read_sum_head); a header that
    // differs but is valid is HostilePullTests.SumHeaderThatLiesAboutTheBasisIsRefused.
    [Theory]
    [InlineData(-1, 700, 2, 41, "Invalid checksum count -1")]
    [InlineData(1, -700, 2, 41, "Invalid block length -700")]
    [InlineData(1, (1 << 17) + 1, 2, 41, "Invalid block length 131073")]
    [InlineData(1, 0, 2, 0, "Invalid zero block length")]
    [InlineData(1, 700, 17, 41, "Invalid checksum length 17 (digest has 16)")]
    [InlineData(1, 700, 2, 700, "Invalid remainder length 700 for block length 700")]
    public Task EchoedSumHeaderOutOfRange(int count, int blockLength, int strongLength, int remainder, string message) =>
        AssertRefused(HostilePull.AnsweringRequest((s, reply) =>
        {
            reply.WriteInt32(count);
            reply.WriteInt32(blockLength);
            reply.WriteInt32(strongLength);
            reply.WriteInt32(remainder);
            return Task.CompletedTask;
        }), message);

    [Fact]
    public Task MatchesThatGrowTheFileFarPastItsListedSize() =>
        // Block 0 of the basis is 41 bytes; 410,000 matches of it make 16.8 MB of a file listed at 50 bytes.
        AssertRefused(HostilePull.AnsweringRequest((s, reply) =>
        {
            reply.Write(HostilePull.EchoedHeader());
            for (int i = 0; i < 410_000; i++)
                reply.WriteInt32(-1);
            reply.WriteInt32(0);
            return Task.CompletedTask;
        }), $"\"existing.txt\" grows past {50 + (16 << 20)} bytes, far beyond its listed size");

    [Fact]
    public Task SomethingOtherThanTheFinalDoneAtTheEndOfTheRun() =>
        // Nothing to transfer: the ends of phases 1, 2 and 3, the sender's five statistics, then index 7 instead of NDX_DONE.
        AssertRefused(HostileDaemon.SendingFileList(l => l.Add(".", HostileFileList.Directory).End(), (s, ct) =>
        {
            var w = new ArrayBufferWriter<byte>();
            Indexes(w, Ndx.Done, Ndx.Done, Ndx.Done);
            for (int i = 0; i < 5; i++)
                w.WriteVarLong(0, 3);
            Indexes(w, 7);
            return s.SendDataAsync(w.WrittenMemory, ct);
        }), "Invalid packet at end of run (7)");

    // --- Out-of-band messages (PullSession.Messages, DaemonMessages, MultiplexReader) ---

    private static HostileDaemon SendingMessage(byte tag, byte[] payload) =>
        AfterList(async (s, ct) =>
        {
            var frame = new byte[4 + payload.Length];
            BinaryPrimitives.WriteUInt32LittleEndian(frame, ((uint)tag << 24) | (uint)payload.Length);
            payload.CopyTo(frame, 4);
            await s.WriteRawAsync(frame, ct);
        });

    private static byte Tag(MessageCode code) => (byte)(MultiplexReader.MplexBase + (int)code);

    [Fact]
    public Task MessageOnlySiblingsExchange() =>
        AssertRefused(SendingMessage(Tag(MessageCode.Redo), [1, 0, 0, 0]), "unexpected message tag 9 from the daemon");

    [Theory]
    [InlineData("NoSend", 3)]
    [InlineData("IoError", 5)]
    public Task IntMessageOfTheWrongLength(string code, int length) =>
        AssertRefused(SendingMessage(Tag(Enum.Parse<MessageCode>(code)), new byte[length]),
            $"message {code} with a {length}-byte payload (expected 4)");

    [Fact]
    public Task TagNoMessageHas() =>
        AssertRefused(SendingMessage(Tag((MessageCode)11), []), "unexpected tag 11 in multiplexed stream");

    [Fact]
    public Task TagBelowTheMultiplexBase() =>
        AssertRefused(SendingMessage(5, []), "unexpected tag -2 in multiplexed stream");

    [Fact]
    public Task MessageOverTheSizeLimit() =>
        AssertRefused(AfterList(async (s, ct) =>
        {
            var header = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(header, ((uint)Tag(MessageCode.Info) << 24) | 0x100000);
            await s.WriteRawAsync(header, ct); // the header alone: the limit must hold before any payload is read
        }), "multiplexed message of 1048576 bytes (tag 2) exceeds the 65536-byte limit");
}
