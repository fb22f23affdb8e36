using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Watch;

/// <summary>
/// `mrsync watch` with names that are not valid UTF-8 (a GBK name, a Latin-1 directory): created, changed and deleted
/// in the source, they converge on the stock daemon by their exact bytes.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WatchNonUtf8Tests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly WatchScenario _s = new(daemon);

    private static readonly byte[] Gbk = [.. "gbk-"u8, 0xc4, 0xe3, 0xba, 0xc3, .. ".txt"u8];
    private static readonly byte[] Directory1 = [.. "caf"u8, 0xe9];

    public void Dispose()
    {
        // .NET's Directory.Delete cannot remove these names.
        ToolProcess.RunAsync("rm", ["-rf", _s.Source, _s.Replica]).GetAwaiter().GetResult();
        _s.Dispose();
    }

    [Fact]
    public async Task NamesThatAreNotUtf8ConvergeByTheirBytes()
    {
        _s.Write("plain.txt", "plain\n");
        await _s.StartWatchAsync();

        RawFiles.Write(_s.Source, Gbk, "first");
        RawFiles.MakeDirectory(_s.Source, Directory1);
        RawFiles.Write(_s.Source, [.. Directory1, (byte)'/', .. Gbk], "inside");
        await ConvergedAsync();

        RawFiles.Write(_s.Source, Gbk, "second, longer");
        File.Delete(_s.P("plain.txt"));
        await ConvergedAsync();

        await ToolProcess.RunAsync("sh", ["-c", "rm -rf \"$0\"/caf?", _s.Source]); // a glob: argv cannot carry the byte
        await ConvergedAsync();
        Assert.DoesNotContain("caf", RawFiles.Describe(_s.Replica));
    }

    private async Task ConvergedAsync()
    {
        var end = DateTime.UtcNow + Converge.Deadline;
        string expected = RawFiles.Describe(_s.Source);
        while (DateTime.UtcNow < end)
        {
            if (Directory.Exists(_s.Replica) && TryDescribe(_s.Replica) == expected)
                return;
            await Task.Delay(25);
        }
        Assert.Fail($"the replica did not converge:\n{expected}\n--- replica ---\n{RawFiles.Describe(_s.Replica)}\n{_s.Explain()}");
    }

    private static string? TryDescribe(string root)
    {
        try
        {
            return RawFiles.Describe(root);
        }
        catch (IOException)
        {
            return null; // changing under the scan (the daemon's temporary files): not yet
        }
    }
}
