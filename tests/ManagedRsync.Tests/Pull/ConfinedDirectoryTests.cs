using System.Text;
using ManagedRsync.Destination;

namespace ManagedRsync.Tests.Pull;

public sealed class ConfinedDirectoryTests : IDisposable
{
    private readonly Sandbox _sandbox = new();
    private readonly ConfinedDirectory _destination;

    public ConfinedDirectoryTests() => _destination = ConfinedDirectory.Open(_sandbox.Destination, create: false);

    public void Dispose()
    {
        _destination.Dispose();
        _sandbox.Dispose();
    }

    private string Local(string relative) => Path.Combine(_sandbox.Destination, relative);

    private void WriteViaTemp(string relative, string content, EntryAttributes attributes = default)
    {
        using var temp = _destination.CreateTempFile(relative);
        RandomAccess.Write(temp.Handle, Encoding.UTF8.GetBytes(content), 0);
        temp.SetAttributes(attributes);
        temp.Commit();
    }

    [Fact]
    public void CommittedTempFileReplacesTheOldFileWithItsAttributes()
    {
        File.WriteAllText(Local("f"), "old");
        WriteViaTemp("f", "new", new EntryAttributes(Permissions: 0x1A4 /* 0644 */, MtimeSeconds: 1_000_000_000, MtimeNanoseconds: 123_456_789));

        Assert.Equal("new", File.ReadAllText(Local("f")));
        var status = _destination.Stat("f")!.Value;
        Assert.Equal(0x1A4u, status.Permissions);
        Assert.Equal(1_000_000_000, status.MtimeSeconds);
        Assert.Equal(123_456_789u, status.MtimeNanoseconds);
        _sandbox.AssertNoTempFiles();
    }

    // --temp-dir on another file system: rename(2) gives EXDEV, and the file is copied into place instead (rsync
    // util1.c: robust_rename -> copy_file). /dev/shm (tmpfs) and the sandbox under the temp directory differ on
    // this machine; where they do not, the same test asserts the rename path (the inode moves unchanged).
    [Fact]
    public void TempDirOnAnotherFileSystemIsCopiedIntoPlaceWithItsAttributes()
    {
        string tempRoot = Directory.CreateDirectory("/dev/shm/mrsync-tempdir-" + Guid.NewGuid().ToString("N")).FullName;
        try
        {
            File.WriteAllText(Local("f"), "old");
            using var tempDir = ConfinedDirectory.Open(tempRoot, create: false);
            bool crossDevice = tempDir.Stat(".")!.Value.Device != _destination.Stat(".")!.Value.Device;
            ulong tempInode;
            using (var temp = _destination.CreateTempFile("f", tempDir))
            {
                Assert.True(File.Exists(Path.Combine(tempRoot, temp.TempName)));
                tempInode = tempDir.Stat(temp.TempName)!.Value.Inode;
                RandomAccess.Write(temp.Handle, "new content"u8, 0);
                temp.SetAttributes(new EntryAttributes(Permissions: 0x1A0 /* 0640 */, MtimeSeconds: 1_000_000_000, MtimeNanoseconds: 5));
                temp.Commit();
            }

            Assert.Equal("new content", File.ReadAllText(Local("f")));
            var status = _destination.Stat("f")!.Value;
            Assert.Equal(0x1A0u, status.Permissions);
            Assert.Equal(1_000_000_000, status.MtimeSeconds);
            Assert.Equal(5u, status.MtimeNanoseconds);
            Assert.Equal(crossDevice, status.Inode != tempInode);
            Assert.Empty(Directory.GetFileSystemEntries(tempRoot));
            _sandbox.AssertNoTempFiles();
        }
        finally
        {
            Directory.Delete(tempRoot, recursive: true);
        }
    }

    [Fact]
    public void AbandonedTempFileLeavesTheOldFileAndNoTempBehind()
    {
        File.WriteAllText(Local("f"), "old");
        using (var temp = _destination.CreateTempFile("f"))
        {
            Assert.StartsWith(".f.", temp.TempName);
            Assert.True(File.Exists(Local(temp.TempName)));
            RandomAccess.Write(temp.Handle, "partial"u8, 0);
        }
        Assert.Equal("old", File.ReadAllText(Local("f")));
        _sandbox.AssertNoTempFiles();
    }

    [Fact]
    public void WriteThroughPlantedDirectorySymlinkIsRefused()
    {
        File.CreateSymbolicLink(Local("d"), _sandbox.Outside);

        var e = Assert.Throws<RsyncException>(() => _destination.CreateTempFile("d/canary"));
        Assert.True(e.IsLocalFileFailure, e.Kind.ToString());
        Assert.Throws<RsyncException>(() => _destination.CreateTempFile("d/new"));
        Assert.Throws<RsyncException>(() => _destination.CreateSymlink("d/l", "x"));
        Assert.Throws<RsyncException>(() => _destination.CreateDirectory("d/sub"));
        Assert.Throws<RsyncException>(() => _destination.SetAttributes("d/canary", new EntryAttributes(Permissions: 0x1FF)));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void SymlinkCreatedByTheTransferIsNeverFollowedLater()
    {
        _destination.CreateSymlink("d", _sandbox.Outside);
        Assert.Equal(_sandbox.Outside, _destination.ReadSymlink("d"));

        Assert.Throws<RsyncException>(() => _destination.CreateTempFile("d/file"));
        Assert.Null(_destination.OpenBasis("d/canary"));
        _sandbox.AssertOutsideUntouched();
        _sandbox.AssertNoTempFiles();
    }

    [Fact]
    public void BasisThroughSymlinkOrOfNonRegularFileIsNotOpened()
    {
        File.CreateSymbolicLink(Local("link"), _sandbox.Canary);
        Directory.CreateDirectory(Local("dir"));
        File.WriteAllText(Local("regular"), "basis");

        Assert.Null(_destination.OpenBasis("link"));
        Assert.Null(_destination.OpenBasis("dir"));
        Assert.Null(_destination.OpenBasis("missing"));
        Assert.Null(_destination.OpenBasis("missing/deeper"));
        using var basis = _destination.OpenBasis("regular");
        Assert.NotNull(basis);
        var buffer = new byte[5];
        Assert.Equal(5, RandomAccess.Read(basis, buffer, 0));
        Assert.Equal("basis", Encoding.UTF8.GetString(buffer));
    }

    [Fact]
    public void FifoAsBasisDoesNotBlock()
    {
        _destination.CreateDevice("fifo", 0x1000 /* S_IFIFO */ | 0x1A4, 0, 0);
        Assert.Null(_destination.OpenBasis("fifo"));
        Assert.Equal(0x1000u, _destination.Stat("fifo")!.Value.Mode & 0xF000);
    }

    [Fact]
    public void DirectoryReplacesPlantedSymlinkWithoutTouchingItsTarget()
    {
        File.CreateSymbolicLink(Local("d"), _sandbox.Outside);
        Assert.True(_destination.CreateDirectory("d"));
        Assert.True(_destination.Stat("d")!.Value.IsDirectory);
        WriteViaTemp("d/file", "inside");
        Assert.Equal("inside", File.ReadAllText(Local("d/file")));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void TempFileOverSymlinkReplacesTheLinkNotItsTarget()
    {
        File.CreateSymbolicLink(Local("f"), _sandbox.Canary);
        WriteViaTemp("f", "replaced");
        Assert.False(_destination.Stat("f")!.Value.IsSymlink);
        Assert.Equal("replaced", File.ReadAllText(Local("f")));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void AttributesOfASymlinkDoNotReachItsTarget()
    {
        _destination.CreateSymlink("l", _sandbox.Canary);
        _destination.SetAttributes("l", new EntryAttributes(Permissions: 0x1FF, MtimeSeconds: 1_234_567_890, Uid: 0, Gid: 0));
        Assert.Equal(1_234_567_890, _destination.Stat("l")!.Value.MtimeSeconds);
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void HardLinkToASymlinkLinksTheSymlinkItself()
    {
        _destination.CreateSymlink("l", _sandbox.Canary);
        _destination.CreateHardLink("h", "l");
        var status = _destination.Stat("h")!.Value;
        Assert.True(status.IsSymlink);
        Assert.Equal(2u, status.LinkCount);
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void DeleteRemovesTreeButNotWhatItsSymlinksPointAt()
    {
        Directory.CreateDirectory(Local("tree/sub"));
        File.WriteAllText(Local("tree/sub/f"), "x");
        File.CreateSymbolicLink(Local("tree/out"), _sandbox.Outside);
        File.CreateSymbolicLink(Local("tree/sub/canary"), _sandbox.Canary);

        Assert.Equal(["out", "sub"], _destination.List("tree").Order(StringComparer.Ordinal));
        _destination.Delete("tree");
        Assert.Null(_destination.Stat("tree"));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void ListingTheSameDirectoryTwiceSeesEverything()
    {
        Directory.CreateDirectory(Local("d"));
        File.WriteAllText(Local("d/a"), "");
        File.WriteAllText(Local("d/b"), "");
        Assert.Equal(2, _destination.List("d").Count);
        Assert.Equal(2, _destination.List("d").Count);
    }

    [Fact]
    public void DirectoryGetsFinalModeAndTimeAfterItsContents()
    {
        Assert.True(_destination.CreateDirectory("ro"));
        WriteViaTemp("ro/f", "x");
        _destination.SetAttributes("ro", new EntryAttributes(Permissions: 0x16D /* 0555 */, MtimeSeconds: 999_999_999));
        var status = _destination.Stat("ro")!.Value;
        Assert.Equal(0x16Du, status.Permissions);
        Assert.Equal(999_999_999, status.MtimeSeconds);
        _destination.SetAttributes("ro", new EntryAttributes(Permissions: 0x1ED));
    }

    [Fact]
    public void AnUpToDateEntryIsNotTouched()
    {
        // rsync.c set_file_attrs changes only what differs: a no-change run leaves ctime alone.
        WriteViaTemp("f", "x", new EntryAttributes(Permissions: 0x1A4, MtimeSeconds: 1_000_000_000, MtimeNanoseconds: 7));
        var before = _destination.Stat("f")!.Value;
        string ctime = ChangeTime(Local("f"));
        Thread.Sleep(20);

        _destination.SetAttributes("f", new EntryAttributes(Permissions: before.Permissions, MtimeSeconds: before.MtimeSeconds,
            MtimeNanoseconds: before.MtimeNanoseconds, Uid: before.Uid, Gid: before.Gid));
        Assert.Equal(ctime, ChangeTime(Local("f")));

        _destination.SetAttributes("f", new EntryAttributes(Permissions: before.Permissions, MtimeSeconds: 1_000_000_001, Uid: before.Uid));
        Assert.NotEqual(ctime, ChangeTime(Local("f")));
        Assert.Equal(1_000_000_001, _destination.Stat("f")!.Value.MtimeSeconds);
        Assert.Equal(before.Permissions, _destination.Stat("f")!.Value.Permissions);
    }

    [Fact]
    public void TheGeneratorsOwnStatDecidesWhatIsLeftToChange()
    {
        WriteViaTemp("f", "x", new EntryAttributes(Permissions: 0x1A4, MtimeSeconds: 1_000_000_000));
        var seen = _destination.Stat("f")!.Value;
        var wanted = new EntryAttributes(Permissions: 0x1A4, MtimeSeconds: 1_000_000_000);

        // The file changed after the generator's stat: what that stat said is what counts (no second look)...
        File.SetLastWriteTimeUtc(Local("f"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        _destination.SetAttributes("f", wanted, seen);
        Assert.NotEqual(1_000_000_000, _destination.Stat("f")!.Value.MtimeSeconds);

        // ...and what differs from it is applied.
        _destination.SetAttributes("f", wanted, seen with { MtimeSeconds = 5 });
        Assert.Equal(1_000_000_000, _destination.Stat("f")!.Value.MtimeSeconds);
    }

    [Fact]
    public void AChownStillReappliesTheModeItMayHaveCleared()
    {
        var attributes = new EntryAttributes(Permissions: 0x1A4, Uid: 1, Gid: 2);
        var current = new EntryStatus(0x81A4, 0, 0, 0, Uid: 0, Gid: 2, 0, 0, 1, 0, 0);
        Assert.Equal(new EntryAttributes(Permissions: 0x1A4, Uid: 1), attributes.Except(current));
        Assert.True(attributes.Except(current with { Uid = 1 }).IsEmpty);
    }

    private static string ChangeTime(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%z", path])
        {
            RedirectStandardOutput = true,
        })!;
        string text = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        Assert.Equal(0, stat.ExitCode);
        return text;
    }

    [Theory]
    [InlineData("../outside/canary")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("a/./b")]
    [InlineData("")]
    public void UnsafeRelativePathsAreRefusedAtThePointOfUse(string path)
    {
        Assert.Throws<RsyncException>(() => _destination.CreateTempFile(path));
        Assert.Throws<RsyncException>(() => _destination.OpenBasis(path));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public void TempNameOfALongNameStaysWithinNameMax()
    {
        string name = new('n', 255);
        string temp = ConfinedDirectory.TempName(name);
        Assert.True(Encoding.UTF8.GetByteCount(temp) <= 255);
        Assert.Matches(@"^\.n+\.[A-Za-z0-9]{6}$", temp);
        WriteViaTemp(name, "long");
        Assert.Equal("long", File.ReadAllText(Local(name)));
    }

    [Fact]
    public void CharacterDeviceIsCreatedWhenRoot()
    {
        if (Environment.UserName != "root")
        {
            var e = Assert.Throws<RsyncException>(() => _destination.CreateDevice("null", 0x2000 | 0x1B6, 1, 3));
            Assert.True(e.IsLocalFileFailure, e.Kind.ToString());
            return;
        }
        _destination.CreateDevice("null", 0x2000 /* S_IFCHR */ | 0x1B6, 1, 3);
        var status = _destination.Stat("null")!.Value;
        Assert.Equal(0x2000u | 0x1B6u, status.Mode);
        Assert.Equal((1u, 3u), (status.RdevMajor, status.RdevMinor));
    }
}
