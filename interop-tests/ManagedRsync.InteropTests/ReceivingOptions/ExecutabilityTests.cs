using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.ReceivingOptions;

/// <summary>
/// -E/--executability beside stock rsync 3.5.0 doing the same: a push to the stock daemon (our client tells the
/// receiving daemon 'E' when -p is not given), a pull from it and a local copy (our generator and receiver apply
/// rsync.c dest_mode: an existing file keeps its permissions but gains x where it has r when the sender's file is
/// executable and it was not, and loses every x when the sender's is not). The destination holds files that become
/// executable, stop being executable, stay as they are, a write-only one (no r to copy x from), and files that are
/// changed as well as ones whose content is the same. Trees, itemized output, first stderr line and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class ExecutabilityTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-executability-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() =>
        OptionScenario.EveryWay("-rtE", "-rtE --size-only", "-rtE --inplace", "-rtE -c", "-rtpE", "-rtE --no-W", "-rtE -I",
            "-rtE --link-dest=../basis", "-rtE --compare-dest=../basis", "-rtE --copy-dest=../basis", "-rtpE --link-dest=../basis");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        string[] args = [.. options.Split(' '), "-i"];
        var places = OptionScenario.Places.For(daemon, _work, way);
        WriteSource(places.Source);
        WriteDestination(Path.Combine(places.StockRoot, "dest"));
        WriteDestination(Path.Combine(places.OursRoot, "dest"));
        WriteBasis(Path.Combine(places.StockRoot, "basis"));
        WriteBasis(Path.Combine(places.OursRoot, "basis"));

        (ProcessResult stock, ProcessResult ours) = await OptionScenario.RunBothAsync(daemon, places, args);
        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot);
    }

    // Name, source mode, destination mode (0 = not there), whether the content differs.
    private static readonly (string Name, int Source, int Dest, bool Changed)[] Files =
    [
        ("becomes-exec.sh", 0x1ED, 0x1A4, false), // 0755 over 0644
        ("becomes-exec-changed.sh", 0x1ED, 0x1A4, true),
        ("stops-exec.txt", 0x1A4, 0x1ED, false), // 0644 over 0755
        ("stops-exec-changed.txt", 0x1A4, 0x1ED, true),
        ("owner-only.sh", 0x1C0, 0x180, false), // 0700 over 0600
        ("group-readable.sh", 0x1C0, 0x1A0, true), // 0700 over 0640
        ("write-only.sh", 0x1ED, 0x80, false), // 0755 over 0200: no r to copy x from
        ("still-exec.sh", 0x1ED, 0x1C0, false), // 0755 over 0700: already executable, kept
        ("plain.txt", 0x1A4, 0x1B4, false), // 0644 over 0664: nothing about x, kept
        ("new.sh", 0x1ED, 0, true),
        ("new.txt", 0x180, 0, true),
    ];

    private static void WriteSource(string root)
    {
        foreach ((string name, int mode, _, bool changed) in Files)
        {
            OptionScenario.Write(root, name, changed ? "the sender's version\n" : "the same bytes\n", OptionScenario.Mid);
            File.SetUnixFileMode(Path.Combine(root, name), (UnixFileMode)mode);
        }
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    // A basis directory (--link-dest, --compare-dest, --copy-dest=../basis): the sender's new files and one changed
    // file with the sender's bytes and time, in other modes, so that -E decides what the match's x bits become.
    private static void WriteBasis(string root)
    {
        foreach ((string name, int mode) in (ReadOnlySpan<(string, int)>)[("new.sh", 0x1A4), ("new.txt", 0x1C0), ("becomes-exec-changed.sh", 0x1A4), ("stops-exec-changed.txt", 0x1ED)])
        {
            OptionScenario.Write(root, name, "the sender's version\n", OptionScenario.Mid);
            File.SetUnixFileMode(Path.Combine(root, name), (UnixFileMode)mode);
        }
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }

    private static void WriteDestination(string root)
    {
        foreach ((string name, _, int mode, bool changed) in Files)
        {
            if (mode == 0)
                continue;
            OptionScenario.Write(root, name, changed ? "the receiver's older version\n" : "the same bytes\n", changed ? OptionScenario.Old : OptionScenario.Mid);
            File.SetUnixFileMode(Path.Combine(root, name), (UnixFileMode)mode);
        }
        Directory.SetLastWriteTimeUtc(root, OptionScenario.Old);
    }
}
