namespace ManagedRsync.Tests;

public class ExitCodeTests
{
    [Fact]
    public void ProtocolViolationUsesStreamIoExitCode()
    {
        var ex = RsyncException.Protocol("bad");
        Assert.Equal(RsyncErrorKind.ProtocolViolation, ex.Kind);
        Assert.Equal(12, (int)ex.ExitCode);
    }
}
