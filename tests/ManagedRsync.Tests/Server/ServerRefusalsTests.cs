using ManagedRsync.Server;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// "refuse options" over stock's option table (options.c: set_refuse_options, parse_one_refuse_match): which rows a
/// module's words refuse, and what a client's vector is then refused with.
/// </summary>
public sealed class ServerRefusalsTests
{
    private static ServerSettings Module(string refuse) => new() { Root = "/nonexistent", ModuleName = "m", RefuseOptions = refuse };

    private static string? Refusal(string refuse, params string[] options)
    {
        ServerRequest request = ServerArgumentParser.Parse(["--server", .. options, ".", "m/"], out _);
        ServerSettings settings = Module(refuse);
        TransferOptions o = request.Options;
        return ServerRefusals.CheckGiven(request, settings) ?? ServerRefusals.CheckImplied(ref o, settings, request.IsSender);
    }

    [Theory]
    // A word names a capability: --del and --delete-during are one.
    [InlineData("delete-during", new[] { "-r", "--del" }, "The server is configured to refuse --del\n")]
    [InlineData("del", new[] { "-r", "--delete-during" }, "The server is configured to refuse --delete-during\n")]
    [InlineData("zl", new[] { "-r", "--compress-level=3" }, "The server is configured to refuse --compress-level\n")]
    // A single "*" is a wildcard, not a letter; the allow-list idiom.
    [InlineData("* !a !v", new[] { "-vrlptgoDz" }, "The server is configured to refuse --compress (-z)\n")]
    [InlineData("* !a !v", new[] { "-vrlptgoD" }, null)]
    [InlineData("*", new[] { "-r" }, "The server is configured to refuse --recursive (-r)\n")]
    // Exact-only rows: a wildcard never refuses -e, -n, --server or --sender.
    [InlineData("*", new[] { "--sender", "-ne.iLsfxCIvu" }, null)]
    [InlineData("n", new[] { "-rn" }, "The server is configured to refuse --dry-run (-n)\n")]
    // What a refused option implies after the loop.
    [InlineData("compress", new[] { "-r", "--new-compress" }, "The server is configured to refuse --compress (-z)\n")]
    [InlineData("delete", new[] { "-r", "--delete-after" }, "The server is configured to refuse --delete\n")]
    [InlineData("delete", new[] { "-r", "--delete-missing-args" }, "The server is configured to refuse --delete\n")]
    [InlineData("delete-before delete-during", new[] { "-r", "--delete" }, "The server is configured to refuse --delete-before\n")]
    // options.c: a refused delete refuses a sender's --remove-source-files; a receiver's is the sender's business.
    [InlineData("delete", new[] { "--sender", "-r", "--remove-source-files" }, "The server is configured to refuse --delete\n")]
    [InlineData("delete", new[] { "--sender", "-r", "--remove-sent-files" }, "The server is configured to refuse --delete\n")]
    [InlineData("delete", new[] { "-r", "--remove-source-files" }, null)]
    [InlineData("remove-source-files", new[] { "-r", "--remove-source-files" }, "The server is configured to refuse --remove-source-files\n")]
    [InlineData("checksum*", new[] { "-r", "--checksum-choice=md5" }, "The server is configured to refuse --checksum-choice\n")]
    [InlineData("checksum* !checksum-choice", new[] { "-r", "--checksum-choice=md5" }, null)]
    // A daemon always refuses these.
    [InlineData("", new[] { "-r", "--log-file=x" }, "The server is configured to refuse --log-file\n")]
    [InlineData("", new[] { "-r", "--write-devices" }, "The server is configured to refuse --write-devices\n")]
    [InlineData("!write-devices", new[] { "-r", "--copy-devices" }, "The server is configured to refuse --copy-devices\n")]
    // A letter without a long name prints as glibc prints a null string.
    [InlineData("D", new[] { "-rD" }, "The server is configured to refuse --(null) (-D)\n")]
    public void Options_are_refused_as_stock_refuses_them(string refuse, string[] options, string? message) =>
        Assert.Equal(message, Refusal(refuse, options));

    [Theory]
    [InlineData("delete-before", DeleteTiming.During)]
    [InlineData("delete-during", DeleteTiming.Before)]
    [InlineData("", DeleteTiming.Default)]
    public void A_plain_delete_takes_the_timing_that_is_not_refused(string refuse, DeleteTiming timing)
    {
        ServerRequest request = ServerArgumentParser.Parse(["--server", "-r", "--delete", ".", "m/"], out _);
        TransferOptions o = request.Options;
        Assert.Null(ServerRefusals.CheckImplied(ref o, Module(refuse), serverSends: false));
        Assert.Equal(timing, o.Delete);
    }

    [Fact]
    public void A_remote_shell_server_refuses_nothing_this_way()
    {
        ServerRequest request = ServerArgumentParser.Parse(["--server", "-rz", ".", "m/"], out _);
        var settings = new ServerSettings { Root = "/", RefuseOptions = "*" };
        TransferOptions o = request.Options;
        Assert.Null(ServerRefusals.CheckGiven(request, settings));
        Assert.Null(ServerRefusals.CheckImplied(ref o, settings, serverSends: false));
    }
}
