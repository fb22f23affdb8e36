using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// The tag a server's message travels with (log.c: rwrite): FERROR and FWARNING have tags of their own only from
/// protocol 30; below it an error goes as MSG_ERROR_XFER (the client counts it: exit 23) and a warning as MSG_INFO.
/// </summary>
public sealed class ServerMessageCodeTests
{
    [Theory]
    [InlineData(32, "error", MessageCode.Error)]
    [InlineData(30, "error", MessageCode.Error)]
    [InlineData(29, "error", MessageCode.ErrorXfer)]
    [InlineData(27, "error", MessageCode.ErrorXfer)]
    [InlineData(32, "warning", MessageCode.Warning)]
    [InlineData(29, "warning", MessageCode.Info)]
    [InlineData(32, "failure", MessageCode.ErrorXfer)]
    [InlineData(29, "failure", MessageCode.ErrorXfer)]
    [InlineData(29, "info", MessageCode.Info)]
    internal void A_servers_message_goes_with_the_tag_of_its_protocol(int protocol, string kind, MessageCode expected)
    {
        var sink = new MemoryStream();
        var output = new MultiplexWriter(sink);
        output.StartMultiplexing();
        var log = new ServerMessageLog(output, SilentLog.Instance, protocol);
        log.TakeOutput();
        Action<string> say = kind switch
        {
            "error" => log.Error,
            "warning" => log.Warning,
            "failure" => log.Failure,
            _ => log.Info,
        };
        say("words");
        output.Send();
        byte[] frame = sink.ToArray();
        Assert.Equal([6, 0, 0, (byte)((int)expected + 7), .. "words\n"u8], frame);
    }
}
