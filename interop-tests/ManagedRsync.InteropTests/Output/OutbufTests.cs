using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --outbuf=N|L|B and --blocking-io beside stock rsync 3.5.0 doing the same on a push, a pull and a local copy. Neither
/// is sent to the server (options.c: server_options); --outbuf sets stdout's stdio buffering, but stock flushes at every
/// line end and every partial progress line (log.c: rwrite, rflush), so what a reader of the output gets is the same in
/// every mode, and --blocking-io only changes how the client's ends of a remote shell's pipes are driven (pipe.c). A
/// setting whose first letter is none of N/U, L, B/F is stock's usage error (exit 1). Output (with -v, -i and
/// --stats), first stderr line, trees and exit code must be stock's.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class OutbufTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-outbuf-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string, InplaceAppendTests.Way> Rows() => OptionScenario.EveryWay(
        "-av --outbuf=N", "-av --outbuf=L --delete", "-av --outbuf=B --stats", "-a -i --outbuf=block", "-av --outbuf=u",
        "-av --blocking-io", "-av --blocking-io --no-blocking-io", "-av --outbuf=x", "-av --outbuf=");

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task GivesStocksResult(string options, InplaceAppendTests.Way way)
    {
        var (places, stock, ours) = await OptionScenario.RunSeededAsync(daemon, _work, way, options);
        bool invalid = options.EndsWith("=x", StringComparison.Ordinal) || options.EndsWith('=');
        OptionScenario.AssertSameResult(daemon, stock, ours, places.StockRoot, places.OursRoot, exitCode: invalid ? 1 : 0);
        if (invalid)
            Assert.StartsWith("rsync: Invalid --outbuf setting -- specify N, L, or B.\n", ours.Stderr, StringComparison.Ordinal);
    }
}
