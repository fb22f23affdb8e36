using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Client;

namespace ManagedRsync.InteropTests.Push;

/// <summary>The library's push against the stock daemon: what lands on the daemon equals the source.</summary>
[Collection(RsyncDaemonCollectionC.Name)]
public sealed class PushInteropTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-push-").FullName;
    private readonly RecordedEvents _log = new();

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static readonly TransferOptions ArchiveH = TransferOptions.Archive with { HardLinks = true };

    private string Destination(string name) => Path.Combine(daemon.ModulePath(DaemonModules.Open), name);

    private Task<TransferResult> PushAsync(string source, string name, TransferOptions options, PushRequest? template = null)
    {
        var request = (template ?? new PushRequest { Destination = null! }) with
        {
            Sources = template?.RelativePaths is null ? [source.TrimEnd('/') + "/"] : [],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = options,
        };
        return RsyncClient.PushAsync(request, _log);
    }

    private string Explain() => string.Join("\n", _log.Lines.Concat(_log.Errors)) + "\n--- rsyncd.log ---\n" + daemon.DaemonLog;

    [Theory]
    [InlineData(27)]
    [InlineData(28)]
    [InlineData(29)]
    [InlineData(30)]
    [InlineData(31)]
    [InlineData(32)]
    public async Task TreeArrivesIntactAtEachProtocol(int protocol)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"proto{protocol}-{Guid.NewGuid():N}";
        TransferResult result = await PushAsync(src, name, ArchiveH with { Protocol = protocol });
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        // Nanosecond times travel from protocol 31 (rsync flist.c: XMIT_MOD_NSEC).
        TreeAssert.Equal(src, Destination(name), nanoseconds: protocol >= 31);
    }

    public static TheoryData<string, string> CompressionsAndChecksums()
    {
        var data = new TheoryData<string, string>();
        foreach (string z in new[] { "none", "zlib", "zlibx", "zstd", "lz4" })
        {
            foreach (string c in new[] { "md4", "md5", "xxh64", "xxh3", "xxh128" })
                data.Add(z, c);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CompressionsAndChecksums))]
    public async Task EachCompressionAndChecksum(string compression, string checksum)
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"), hardLinks: false);
        string name = $"{compression}-{checksum}-{Guid.NewGuid():N}";
        var options = TransferOptions.Archive with
        {
            Compress = compression != "none", CompressChoice = compression == "none" ? null : compression, ChecksumChoice = checksum,
        };
        TransferResult first = await PushAsync(src, name, options);
        Assert.True(first.ExitCode == RsyncExitCode.Ok, Explain());
        TreeAssert.Equal(src, Destination(name), nanoseconds: true, hardLinks: false);

        // Change a file in the middle and push again: the daemon now has a basis and asks for a delta.
        byte[] medium = File.ReadAllBytes(Path.Combine(src, "medium.bin"));
        medium[100_000] ^= 0xFF;
        File.WriteAllBytes(Path.Combine(src, "medium.bin"), medium);
        TransferResult second = await PushAsync(src, name, options);
        Assert.True(second.ExitCode == RsyncExitCode.Ok, Explain());
        Assert.Equal(1, second.Stats.TransferredFiles);
        TreeAssert.Equal(src, Destination(name), nanoseconds: true, hardLinks: false);
    }

    [Theory]
    [InlineData(29)] // rdev as int32 major/minor pairs before 30; varint30 major, varint minor from 30 (flist.c)
    [InlineData(32)]
    public async Task DevicesAndSpecialsArriveAsTheSameKind(int protocol)
    {
        // -D: a fifo (special) always; a character device needs root on both sides, as it does for rsync.
        bool root = Environment.UserName == "root";
        string src = Path.Combine(_work, "dev");
        Directory.CreateDirectory(src);
        Assert.Equal(0, (await ToolProcess.RunAsync("mkfifo", [Path.Combine(src, "fifo")])).ExitCode);
        if (root)
        {
            // Majors and minors past a byte take the wider encodings (rsync flist.c: XMIT_RDEV_MINOR_8_pre30).
            Assert.Equal(0, (await ToolProcess.RunAsync("mknod", [Path.Combine(src, "chr"), "c", "1", "3"])).ExitCode);
            Assert.Equal(0, (await ToolProcess.RunAsync("mknod", [Path.Combine(src, "wide"), "c", "259", "300"])).ExitCode);
        }
        string name = $"dev{protocol}-{Guid.NewGuid():N}";
        TransferResult result = await PushAsync(src, name, TransferOptions.Archive with { Protocol = protocol });
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());

        string dst = Destination(name);
        foreach (string entry in root ? new[] { "fifo", "chr", "wide" } : ["fifo"])
            Assert.Equal(await StatKindAndRdevAsync(Path.Combine(src, entry)), await StatKindAndRdevAsync(Path.Combine(dst, entry)));
        Assert.Equal(root ? 2 : 0, result.Stats.NumDevices);
        Assert.Equal(1, result.Stats.NumSpecials);
    }

    // "fifo 0:0" / "character special file 103:12c" (coreutils stat: %F, hex major %t and minor %T).
    private static async Task<string> StatKindAndRdevAsync(string path)
    {
        ProcessResult r = await ToolProcess.RunAsync("stat", ["-c", "%F %t:%T", path]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout.Trim();
    }

    [Fact]
    public async Task BasisChangedDuringTheTransferIsRedone()
    {
        // The daemon's generator sums its copy; while we send the delta, that copy is rewritten in place (same inode, the
        // receiver's open descriptor sees it). The receiver then rebuilds from wrong blocks, its whole-file check fails,
        // and it asks again with MSG_REDO: the generator re-sends the file in the redo phase (phase 1) with full-length sums of
        // the basis as it is now (rsync receiver.c: "failed verification -- update discarded (will try again)";
        // generator.c: phase 1, csum_length = SUM_LENGTH).
        var rng = new Random(11);
        (string src, string file, byte[] content) = SourceTree.OldRandomFile(Path.Combine(_work, "redo"), 2 << 20, rng);
        string name = $"redo-{Guid.NewGuid():N}";
        Assert.Equal(RsyncExitCode.Ok, (await PushAsync(src, name, TransferOptions.Archive)).ExitCode);

        rng.NextBytes(content.AsSpan(1 << 20, 1000));
        File.WriteAllBytes(file, content);
        string basis = Path.Combine(Destination(name), "data.bin");
        bool spoiled = false;
        // Called synchronously by the sender after the first matched block, before any later token is written: the
        // receiver cannot have read past its first map window (256 KiB, rsync fileio.c: MAX_MAP_SIZE) of the basis yet.
        var events = new RecordedEvents(progress: p =>
        {
            if (spoiled || p.BytesDone == 0)
                return;
            spoiled = true;
            byte[] garbage = new byte[content.Length];
            new Random(12).NextBytes(garbage);
            using var fs = new FileStream(basis, FileMode.Open, FileAccess.Write);
            fs.Write(garbage);
        });
        var request = new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive with { Verbose = 1, Progress = true },
        };
        TransferResult result = await RsyncClient.PushAsync(request, events);

        Assert.True(spoiled);
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        Assert.Contains(events.Errors.Concat(events.Lines), l => l.Contains("failed verification", StringComparison.Ordinal));
        Assert.Equal(content, File.ReadAllBytes(basis));
    }

    [Fact]
    public async Task NegotiatesWithoutChoices()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"auto-{Guid.NewGuid():N}";
        TransferResult result = await PushAsync(src, name, ArchiveH with { Compress = true });
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        // A 3.5.0 daemon and we both rank xxh128 and zstd first.
        Assert.Equal(("xxh128", "zstd"), (result.Checksum, result.Compression));
        TreeAssert.Equal(src, Destination(name), nanoseconds: true);
    }

    [Fact]
    public async Task UnchangedTreeSendsNoFiles()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"again-{Guid.NewGuid():N}";
        Assert.Equal(RsyncExitCode.Ok, (await PushAsync(src, name, ArchiveH)).ExitCode);
        TransferResult again = await PushAsync(src, name, ArchiveH);
        Assert.Equal(RsyncExitCode.Ok, again.ExitCode);
        Assert.Equal(0, again.Stats.TransferredFiles);
        Assert.Equal(0, again.Stats.LiteralData);
    }

    [Fact]
    public async Task DeleteRemovesExactlyTheExtraneousFiles()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"delete-{Guid.NewGuid():N}";
        string dst = Destination(name);
        Assert.Equal(RsyncExitCode.Ok, (await PushAsync(src, name, ArchiveH)).ExitCode);
        File.WriteAllText(Path.Combine(dst, "extra.txt"), "not in the source");
        Directory.CreateDirectory(Path.Combine(dst, "extra-dir", "inner"));
        File.WriteAllText(Path.Combine(dst, "sub", "deeper", "extra2"), "x");

        // Without --delete nothing goes.
        Assert.Equal(RsyncExitCode.Ok, (await PushAsync(src, name, ArchiveH)).ExitCode);
        Assert.True(File.Exists(Path.Combine(dst, "extra.txt")));
        Assert.True(Directory.Exists(Path.Combine(dst, "extra-dir", "inner")));

        TransferResult result = await PushAsync(src, name, ArchiveH with { Delete = DeleteTiming.Default, Verbose = 1 });
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        TreeAssert.Equal(src, dst, nanoseconds: true);
        Assert.Contains(_log.Lines, l => l == "deleting extra.txt");
    }

    [Fact]
    public async Task VanishedFileGivesExit24AndTheRestArrives()
    {
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string victim = Path.Combine(src, "sub", "x");
        string name = $"vanish-{Guid.NewGuid():N}";
        // The filter callback runs after the file has been seen: deleting it there makes it vanish between the file
        // list and the transfer, as a file deleted mid-run does.
        var request = new PushRequest
        {
            Destination = null!,
            Sources = [src + "/"],
            IsExcluded = (path, _) =>
            {
                if (path == "sub/x")
                    File.Delete(victim);
                return false;
            },
        };
        TransferResult result = await PushAsync(src, name, ArchiveH, request with { RelativePaths = null });
        Assert.True(result.ExitCode == RsyncExitCode.Vanished, Explain());
        Assert.Contains(_log.Errors, e => e.StartsWith("file has vanished", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(Destination(name), "medium.bin")));
    }

    [Fact]
    public async Task ChangedPathsOnlyWithDeleteMissingArgs()
    {
        // The watcher's use: a batch of changed paths over one connection, deletions included.
        string src = SourceTree.Create(Path.Combine(_work, "src"));
        string name = $"paths-{Guid.NewGuid():N}";
        string dst = Destination(name);
        Assert.Equal(RsyncExitCode.Ok, (await PushAsync(src, name, ArchiveH)).ExitCode);

        File.WriteAllText(Path.Combine(src, "sub", "deeper", "file.txt"), "changed");
        File.WriteAllText(Path.Combine(src, "sub", "brand-new"), "new");
        File.Delete(Path.Combine(src, "zero"));
        File.WriteAllText(Path.Combine(dst, "untouched-extra"), "stays: not in the batch");
        var request = new PushRequest
        {
            Destination = null!,
            SourceRoot = src,
            RelativePaths = ["sub/deeper/file.txt", "sub/brand-new", "zero"],
        };
        TransferResult result = await PushAsync(src, name, ArchiveH with { Relative = true, Recursive = false, Dirs = true, DeleteMissingArgs = true }, request);
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        Assert.Equal("changed", File.ReadAllText(Path.Combine(dst, "sub", "deeper", "file.txt")));
        Assert.Equal("new", File.ReadAllText(Path.Combine(dst, "sub", "brand-new")));
        Assert.False(File.Exists(Path.Combine(dst, "zero")));
        Assert.True(File.Exists(Path.Combine(dst, "untouched-extra")));
        Assert.True(File.Exists(Path.Combine(dst, "medium.bin")));
    }

    [Fact]
    public async Task MultiGiBSparseFile()
    {
        // Sizes past 2^31 take the long varlong/longint forms; sparse so the source costs no disk. Through the library
        // (not the CLI runner's one-minute hang limit): 2 GiB still has to cross the loopback and reach the daemon's disk.
        string src = Path.Combine(_work, "sparse");
        Directory.CreateDirectory(src);
        string file = Path.Combine(src, "huge.img");
        using (var fs = new FileStream(file, FileMode.Create))
        {
            fs.SetLength((2L << 30) + 12345);
            fs.Position = (1L << 31) + 7;
            fs.Write("past two GiB"u8);
        }
        string name = $"sparse-{Guid.NewGuid():N}";
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        TransferResult result = await RsyncClient.PushAsync(new PushRequest
        {
            Sources = [src + "/"],
            Destination = DaemonAddress.Parse($"{daemon.Url}{DaemonModules.Open}/{name}/"),
            Options = TransferOptions.Archive with { Compress = true, CompressChoice = "zstd" },
        }, _log, ct: cts.Token);
        Assert.True(result.ExitCode == RsyncExitCode.Ok, Explain());
        string copy = Path.Combine(Destination(name), "huge.img");
        try
        {
            Assert.Equal(new FileInfo(file).Length, new FileInfo(copy).Length);
            using var check = new FileStream(copy, FileMode.Open, FileAccess.Read);
            check.Position = (1L << 31) + 7;
            var tail = new byte[12];
            check.ReadExactly(tail);
            Assert.Equal("past two GiB"u8.ToArray(), tail);
        }
        finally
        {
            File.Delete(copy);
        }
    }
}
