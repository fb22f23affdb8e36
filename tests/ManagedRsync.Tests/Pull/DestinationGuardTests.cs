using ManagedRsync.Destination;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// The receiving side's second line of defence, at the point of use (the file list was checked on arrival by
/// <see cref="FileListGuard"/>): a name that could leave the destination, a symlink target that is empty, has a NUL or
/// is longer than MAXPATHLEN, a "device" whose mode is not a device's. Each case asserts the guard's own message and
/// exit 12 and that nothing was created. The table of every guard and the test that reaches it is protocol-notes.md §26.
/// </summary>
public sealed class DestinationGuardTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-dest-guard-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static void IsStreamError(RsyncException e, string message)
    {
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    public void AnUnsafeNameIsRefusedWhereItIsUsed(string name)
    {
        using var dest = ConfinedDirectory.Open(_root, create: false);
        IsStreamError(Assert.Throws<RsyncException>(() => dest.CreateSymlink(name, "target")),
            $"refusing unsafe path \"{name}\" in the destination");
        IsStreamError(Assert.Throws<RsyncException>(() => dest.List(name)),
            $"refusing unsafe path \"{name}\" in the destination");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    public void ASymlinkWithAnEmptyOrNulTargetIsNotMade(string target)
    {
        using var dest = ConfinedDirectory.Open(_root, create: false);
        IsStreamError(Assert.Throws<RsyncException>(() => dest.CreateSymlink("link", target)),
            "refusing symlink \"link\" with an empty or NUL-bearing target");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Theory]
    [InlineData(0x41ED, "40755")]   // a directory
    [InlineData(0x81A4, "100644")]  // a regular file
    [InlineData(0xA1FF, "120777")]  // a symlink
    [InlineData(0x01A4, "644")]     // no type at all
    public void ADeviceWhoseModeIsNotADevicesIsNotMade(uint mode, string octal)
    {
        using var dest = ConfinedDirectory.Open(_root, create: false);
        IsStreamError(Assert.Throws<RsyncException>(() => dest.CreateDevice("dev", mode, 1, 3)),
            $"mode {octal} of \"dev\" is not a device or special file");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_root));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    public void AListedSymlinkWithAnEmptyOrNulTargetIsRefused(string target) =>
        IsStreamError(Assert.Throws<RsyncException>(() => FileListGuard.CheckSymlinkTarget("l", target)),
            "symlink \"l\" has an empty, NUL-bearing or overlong target");

    [Fact]
    public void AListedSymlinkWithATargetOverMaxPathLenIsRefused() =>
        IsStreamError(Assert.Throws<RsyncException>(() =>
                FileListGuard.CheckSymlinkTarget("l", new string('t', FileListGuard.MaxSymlinkTargetBytes + 1))),
            "symlink \"l\" has an empty, NUL-bearing or overlong target");
}
