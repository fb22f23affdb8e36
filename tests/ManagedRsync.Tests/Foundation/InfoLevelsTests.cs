using ManagedRsync.Cli.Commands;
using ManagedRsync.Cli.Options;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// --info as rsync 3.5.0 reads it (options.c: parse_output_words, set_output_verbosity, make_output_option): the levels
/// -v, --stats and --progress imply under the user's, and the --info word stock's client sends a server (recorded from
/// stock through a fake remote shell).
/// </summary>
public sealed class InfoLevelsTests
{
    [Theory]
    [InlineData(new[] { "--info=name2,del,stats2,progress2,remove" }, false, "--info=DEL,NAME2,STATS2")]
    [InlineData(new[] { "--info=name2,del,stats2,progress2,remove" }, true, "--info=NAME2,REMOVE,STATS2")]
    [InlineData(new[] { "--info=all" }, false, "--info=ALL")]
    [InlineData(new[] { "--info=all" }, true, "--info=ALL")]
    [InlineData(new[] { "--info=all2,name0" }, false, "--info=ALL2,NAME0")]
    [InlineData(new[] { "--info=none" }, true, "--info=NONE")]
    [InlineData(new[] { "--info=backup,copy,del,misc,mount,name" }, false, "--info=BACKUP,COPY,DEL,MISC,MOUNT,NAME")]
    [InlineData(new[] { "--info=backup,copy,del,misc,mount,name" }, true, "--info=MISC,MOUNT,NAME")]
    [InlineData(new[] { "--info=nonreg0" }, false, "--info=NONREG0")]
    [InlineData(new[] { "--info=nonreg0" }, true, null)]
    [InlineData(new[] { "-v", "--info=name0" }, true, "--info=NAME0")]
    [InlineData(new[] { "--info=misc2,mount,name2,symsafe,skip,stats3" }, false, "--info=MISC2,MOUNT,NAME2,SKIP,STATS3,SYMSAFE")]
    [InlineData(new[] { "--info=flist2,progress" }, false, null)]
    [InlineData(new[] { "--info=name", "--info=NAME9" }, false, "--info=NAME4")]
    [InlineData(new[] { "--info=,,name,," }, false, "--info=NAME")]
    public void TheServerIsToldWhatStockTellsIt(string[] info, bool serverSends, string? expected)
    {
        var given = default(InfoLevels);
        foreach (string word in info.Where(a => a.StartsWith("--info=", StringComparison.Ordinal)))
            given = given.Apply(word["--info=".Length..], out _, out _);
        Assert.Equal(expected, given.ServerOption(serverSends));
    }

    [Theory]
    // options.c: info_verbosity, then --stats ("stats2", "stats3" with -vv) and --progress ("name" unless something
    // logs after the transfer, "FLIST2,PROGRESS"), all below what --info says.
    [InlineData(new string[0], "NONREG")]
    [InlineData(new[] { "-v" }, "COPY,DEL,FLIST,MISC,NAME,NONREG,STATS,SYMSAFE")]
    [InlineData(new[] { "-vv" }, "BACKUP,COPY,DEL,FLIST,MISC2,MOUNT,NAME2,NONREG,REMOVE,SKIP,STATS,SYMSAFE")]
    [InlineData(new[] { "--stats" }, "NONREG,STATS2")]
    [InlineData(new[] { "-vv", "--stats" }, "BACKUP,COPY,DEL,FLIST,MISC2,MOUNT,NAME2,NONREG,REMOVE,SKIP,STATS3,SYMSAFE")]
    [InlineData(new[] { "--progress" }, "FLIST2,NAME,NONREG,PROGRESS")]
    [InlineData(new[] { "--progress", "-i" }, "FLIST2,NONREG,PROGRESS")]
    [InlineData(new[] { "--progress", "--info=name0,flist" }, "FLIST,NONREG,PROGRESS")]
    [InlineData(new[] { "-v", "--info=none" }, "")]
    [InlineData(new[] { "--info=stats", "--stats" }, "NONREG,STATS")]
    public void TheLevelsInForceAreStocks(string[] args, string expected)
    {
        InfoLevels info = OptionParser.Parse([.. args, "a", "b"]).ToTransferOptions().Info;
        var words = new List<string>();
        for (int j = 0; j < InfoLevels.Names.Count; j++)
        {
            int level = info[(InfoFlag)j];
            if (level > 0)
                words.Add(InfoLevels.Names[j] + (level == 1 ? "" : level.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.Equal(expected, string.Join(',', words));
    }

    [Theory]
    [InlineData("--info=bogus", "bogus")]
    [InlineData("--info=name,names", "names")]
    [InlineData("--info=2", "2")]
    public void AnUnknownWordIsStocksUsageError(string arg, string word)
    {
        var e = Assert.Throws<OptionException>(() => OptionParser.Parse([arg, "--no-such-option", "a", "b"]));
        Assert.Equal($"Unknown --info item: \"{word}\"", e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
        Assert.Equal(e.Message, e.ToRsyncException().RemoteMessage);
    }

    [Fact]
    public void HelpStopsTheParseAndPrintsStocksList()
    {
        RsyncOptions o = OptionParser.Parse(["--info=name,help,bogus", "--no-such-option"]);
        Assert.True(o.ShowHelp);
        Assert.StartsWith("Use OPT or OPT1 for level 1 output, OPT2 for level 2, etc.; OPT0 silences.\n\nBACKUP     Mention files backed up\n",
            o.HelpText, StringComparison.Ordinal);
        Assert.EndsWith("0) NONREG\n1) COPY,DEL,FLIST,MISC,NAME,STATS,SYMSAFE\n2) BACKUP,MISC2,MOUNT,NAME2,REMOVE,SKIP\n",
            o.HelpText, StringComparison.Ordinal);
    }

    // options.c: limit_output_verbosity — each flag capped at what that many -v give (a daemon's "max verbosity").
    [Theory]
    [InlineData("ALL4", 1, "COPY,DEL,FLIST,MISC,NAME,NONREG,STATS,SYMSAFE")]
    [InlineData("ALL4", 2, "BACKUP,COPY,DEL,FLIST,MISC2,MOUNT,NAME2,NONREG,REMOVE,SKIP,STATS,SYMSAFE")]
    [InlineData("ALL4", 0, "NONREG")]
    [InlineData("skip2,name2,progress2,stats2", 1, "NAME,STATS")]
    [InlineData("skip2,progress2", 3, "PROGRESS2,SKIP2")]
    public void A_limit_caps_each_flag_at_what_that_verbosity_gives(string words, int limit, string expected)
    {
        InfoLevels info = default(InfoLevels).Apply(words, out _, out _).LimitedTo(limit);
        var named = new List<string>();
        for (int j = 0; j < InfoLevels.Names.Count; j++)
        {
            int level = info[(InfoFlag)j];
            if (level > 0)
                named.Add(InfoLevels.Names[j] + (level == 1 ? "" : level.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        Assert.Equal(expected, string.Join(',', named));
        Assert.Equal(default(InfoLevels).Apply(words, out _, out _), default(InfoLevels).Apply(words, out _, out _).LimitedTo(null));
    }
}
