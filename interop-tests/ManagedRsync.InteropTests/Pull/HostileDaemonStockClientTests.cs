using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// The scripted hostile daemon checked against stock rsync as the client: stock rsync must reach its own checks and
/// exit with its own codes, which shows the script's bytes are what a real daemon would put on the wire around the
/// crafted part.
/// </summary>
public sealed class HostileDaemonStockClientTests : IDisposable
{
    private readonly Sandbox _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private static string Rsync => ToolProcess.FindOnPath("rsync")
        ?? throw new InvalidOperationException("stock rsync is not installed: these tests need it (apt-get install rsync)");

    private async Task<ProcessResult> PullWithStockRsync(HostileDaemon daemon, string path)
    {
        var result = await ToolProcess.RunAsync(Rsync, ["-rlpt", daemon.ModuleUrl(path), _sandbox.Destination + "/"]);
        await daemon.DisposeAsync();
        Assert.Null(daemon.ScriptError);
        return result;
    }

    [Fact]
    public async Task StockRsyncRejectsDotDotNameWithExitCode4()
    {
        var daemon = HostileDaemon.SendingFileList(list =>
            list.Add(".", HostileFileList.Directory).Add("../outside/evil", HostileFileList.Regular, 5).End());
        var result = await PullWithStockRsync(daemon, "");
        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("unsafe pathname", result.Stderr);
        Assert.Equal(["--server", "--sender"], daemon.Session!.Args.Take(2));
        _sandbox.AssertOutsideUntouched();
    }

    [Fact]
    public async Task StockRsyncRejectsUnrequestedNameWithExitCode4()
    {
        var daemon = HostileDaemon.SendingFileList(list =>
            list.Add("asked", HostileFileList.Directory).Add("volunteered", HostileFileList.Regular, 5).End());
        var result = await PullWithStockRsync(daemon, "asked");
        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("unrequested", result.Stderr);
        _sandbox.AssertOutsideUntouched();
    }
}
