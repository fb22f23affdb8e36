using ManagedRsync.Cli;
using ManagedRsync.Cli.Options;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// --debug (options.c: debug_words): read as stock reads it, never sent to a server, and accepted only where stock's
/// client prints nothing for it (DebugOption), else refused by name with exit 4.
/// </summary>
public sealed class DebugOptionTests
{
    [Theory]
    [InlineData("--debug=none", "Local")]
    [InlineData("--debug=ALL0", "Pull")]
    [InlineData("--debug=del0,flist0", "Local")]
    [InlineData("--debug=acl4,iconv", "Local")]
    [InlineData("--debug=del2,backup,genr,fuzzy2", "Push")]
    [InlineData("--debug=send2", "Pull")]
    [InlineData("--debug=del9,del0", "Local")]
    // DEL: our generator prints delete.c's lines on a pull and a local copy (DeletionDebugTests).
    [InlineData("--debug=del3 -r", "Local")]
    [InlineData("--debug=del", "Pull")]
    [InlineData("--debug=del -b -a", "Pull")]
    [InlineData("--debug=del2 -rt --no-i-r", "Local")]
    [InlineData("--debug=del2 -rt --delete-after", "Pull")]
    public void AcceptedWhereStocksClientPrintsNothing(string arg, string direction)
    {
        RsyncOptions o = OptionParser.Parse([.. arg.Split(' '), "-vv", "a", "b"]);
        DebugOption.Check(o, Enum.Parse<TransferDirection>(direction));
    }

    [Theory]
    // Where stock prints a delete_item line ours does not: backup.c's, --temp-dir's atomic_create, and the early one of
    // an incremental walk with -t.
    [InlineData("--debug=del2 -rt", "Local", "--debug=del2 is not supported yet with a local copy")]
    [InlineData("--debug=del3 -b", "Pull", "--debug=del3 is not supported yet on a pull")]
    [InlineData("--debug=del2 -T /tmp", "Pull", "--debug=del2 is not supported yet on a pull")]
    [InlineData("--debug=send", "Push", "--debug=send is not supported yet on a push")]
    [InlineData("--debug=iconv2", "Push", "--debug=iconv2 is not supported yet on a push")]
    [InlineData("--debug=all", "Push", "--debug=bind is not supported yet on a push")]
    [InlineData("--debug=FLIST9", "Pull", "--debug=flist4 is not supported yet on a pull")]
    public void RefusedByNameElsewhere(string arg, string direction, string message)
    {
        RsyncOptions o = OptionParser.Parse([.. arg.Split(' '), "a", "b"]);
        var e = Assert.Throws<RsyncException>(() => DebugOption.Check(o, Enum.Parse<TransferDirection>(direction)));
        Assert.Equal(RsyncErrorKind.Unsupported, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void AnUnknownWordIsStocksUsageError()
    {
        var e = Assert.Throws<OptionException>(() => OptionParser.Parse(["--debug=del,bogus", "--no-such-option", "a", "b"]));
        Assert.Equal("Unknown --debug item: \"bogus\"", e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Fact]
    public void HelpIsStocksList()
    {
        RsyncOptions o = OptionParser.Parse(["--debug=help"]);
        Assert.True(o.ShowHelp);
        Assert.EndsWith("Options added at each level of verbosity:\n"
            + "2) BIND,CONNECT,CMD,DEL,DELTASUM,DUP,FILTER,FLIST,ICONV\n"
            + "3) ACL,BACKUP,CONNECT2,DEL2,DELTASUM2,EXIT,FILTER2,FLIST2,FUZZY,GENR,OWN,RECV,SEND,TIME\n"
            + "4) CMD2,DEL3,DELTASUM3,EXIT2,FLIST3,ICONV2,OWN2,PROTO,TIME2\n"
            + "5) CHDIR,DELTASUM4,FLIST4,FUZZY2,HASH,HLINK\n", o.HelpText, StringComparison.Ordinal);
    }
}
