using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;
using ManagedRsync.Tests.Support;

namespace ManagedRsync.Tests.Cli;

/// <summary>
/// A fault of mrsync's own on the client's side (here: the writer of its -v lines throws what no part of a transfer
/// expects) ends the run as the server's does: in words, with exit 15 (RERR_CRASHED), never with a stack trace or an
/// exit code of the runtime's. ServerEntryTests covers the server's side.
/// </summary>
public sealed class ClientFaultTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-clientfault-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_fault_of_the_client_is_reported_in_words_with_exit_15()
    {
        string src = ScratchTree.Make(_root, "src", f => "data of " + f, "a.txt", "sub/b.txt");
        string dst = Path.Combine(_root, "dst");
        var error = new StringWriter();
        var context = new CliContext
        {
            Out = new FaultingWriter("a.txt"),
            Error = error,
            In = TextReader.Null,
            GetEnvironmentVariable = _ => null,
        };

        int code = await RsyncCommand.RunAsync(["-av", src + "/", dst + "/"], context).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(code == 15, $"exit {code}\n{error}");
        Assert.Contains("internal error in mrsync (InvalidOperationException): planted fault", error.ToString());
        Assert.Contains("(code 15)", error.ToString());
        Assert.DoesNotContain("   at ", error.ToString()); // no stack trace
    }

    // Throws once a line names the planted file: the first -v line of the transfer proper.
    private sealed class FaultingWriter(string trigger) : StringWriter
    {
        public override void Write(string? value)
        {
            if (value is not null && value.Contains(trigger, StringComparison.Ordinal))
                throw new InvalidOperationException("planted fault");
            base.Write(value);
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            base.WriteLine();
        }
    }
}
