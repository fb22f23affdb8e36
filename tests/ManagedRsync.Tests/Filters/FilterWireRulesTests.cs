using System.Text;
using ManagedRsync.Filters;

namespace ManagedRsync.Tests.Filters;

/// <summary>
/// The rule strings the client sends. The expected strings were captured from stock rsync 3.5.0's client (an -e wrapper
/// tee'ing what the client wrote to the server) running
/// <c>rsync -r -n --delete --protocol=P --exclude='*.o' --include='+ dir/' --exclude='- x' -f'P keep' -f'-p per' src/ host:dst/</c>.
/// </summary>
public class FilterWireRulesTests
{
    private static FilterList CapturedRuleSet() => new FilterListBuilder()
        .AddExclude("*.o").AddInclude("+ dir/").AddExclude("- x").AddFilter("P keep").AddFilter("-p per").Build();

    private static string[] Strings(IReadOnlyList<byte[]>? rules) =>
        Assert.IsAssignableFrom<IReadOnlyList<byte[]>>(rules).Select(b => Encoding.UTF8.GetString(b)).ToArray();

    [Theory]
    [InlineData(32)]
    [InlineData(30)]
    public void PushWithDeleteSendsEveryRuleTheReceiverUses(int protocol)
    {
        Assert.Equal(["- *.o", "+ dir/", "- x", "-r keep", "-p per"],
            Strings(CapturedRuleSet().GetWireRules(protocol, localIsSender: true, deleteMode: true)));
    }

    [Theory]
    [InlineData(29)]
    [InlineData(28)]
    [InlineData(27)]
    public void PerishableRulesAreTooModernBeforeProtocol30(int protocol)
    {
        // Stock rsync: "filter rules are too modern for remote rsync." and exit 2, at every protocol below 30.
        var e = Assert.Throws<RsyncException>(() => CapturedRuleSet().GetWireRules(protocol, localIsSender: true, deleteMode: true));
        Assert.Equal(RsyncExitCode.Protocol, e.ExitCode);
        Assert.Equal("filter rules are too modern for remote rsync.", e.Message);
    }

    [Fact]
    public void PushWithoutDeleteSendsNothingAtAll()
    {
        Assert.Null(CapturedRuleSet().GetWireRules(32, localIsSender: true, deleteMode: false));
        Assert.NotNull(CapturedRuleSet().GetWireRules(32, localIsSender: true, deleteMode: false, pruneEmptyDirs: true));
    }

    [Fact]
    public void ProtocolsBefore29HaveOnlyBareAndPlusMinusPrefixes()
    {
        FilterList list = new FilterListBuilder().AddExclude("*.o").AddInclude("keep/").AddExclude("- - dash").AddFilter("H hidden").Build();
        // The sender-side "H" rule stays local; an exclude goes bare unless its pattern itself looks prefixed.
        Assert.Equal(["*.o", "+ keep/", "- - dash"], Strings(list.GetWireRules(28, localIsSender: true, deleteMode: true)));
        Assert.Equal(["- *.o", "+ keep/", "- - dash"], Strings(list.GetWireRules(29, localIsSender: true, deleteMode: true)));
    }

    [Fact]
    public void PullSendsSenderSideRulesAndKeepsReceiverSideOnes()
    {
        FilterList list = new FilterListBuilder().AddFilter("H hidden").AddFilter("P kept").AddFilter("-/ /abs").AddFilter(": .rsync-filter").Build();
        Assert.Equal(["-s hidden", "-/ /abs", ": .rsync-filter"], Strings(list.GetWireRules(32, localIsSender: false, deleteMode: false)));
    }

    [Fact]
    public void DeleteExcludedKeepsPlainRulesOnTheSender()
    {
        FilterList list = new FilterListBuilder().Add(FilterOptionKind.DeleteExcluded).AddExclude("*.o").AddFilter("P kept").Build();
        // Stock rsync --protocol=29: "-r kept" only.
        Assert.Equal(["-r kept"], Strings(list.GetWireRules(29, localIsSender: true, deleteMode: true)));
        // Stock rsync --protocol=28 refuses: the receiver-side rule needs its 'r' there, and 28 has no modifiers.
        Assert.Throws<RsyncException>(() => list.GetWireRules(28, localIsSender: true, deleteMode: true));
        FilterList plain = new FilterListBuilder().Add(FilterOptionKind.DeleteExcluded).AddExclude("*.o").Build();
        // Before 29 a receiver that deletes excluded files is sent no list at all.
        Assert.Null(plain.GetWireRules(28, localIsSender: true, deleteMode: true));
    }

    [Fact]
    public void PullCapturedFromStockRsyncHonoursWhereDeleteExcludedStood()
    {
        // rsync -r -n --protocol=32 -f'H hidden' -f'P kept' -f'-/ /abs' -f': .rsync-filter' --exclude=x --delete-excluded
        //   --exclude=y host:src/ dst/
        FilterList list = new FilterListBuilder().AddFilter("H hidden").AddFilter("P kept").AddFilter("-/ /abs")
            .AddFilter(": .rsync-filter").AddExclude("x").Add(FilterOptionKind.DeleteExcluded).AddExclude("y").Build();
        Assert.Equal(["-s hidden", "-/ /abs", ": .rsync-filter", "- x", "-s y"],
            Strings(list.GetWireRules(32, localIsSender: false, deleteMode: false)));
    }

    [Fact]
    public void CvsExcludeOnPushSendsThePerDirectoryRuleAndTheExpandedList()
    {
        FilterList list = new FilterListBuilder(homeDirectory: "", cvsIgnoreVariable: "extra1 extra2").Add(FilterOptionKind.CvsExclude).Build();
        string[] wire = Strings(list.GetWireRules(32, localIsSender: true, deleteMode: true));
        Assert.Equal(":C .cvsignore", wire[0]);
        Assert.Equal("-p RCS", wire[1]);
        Assert.Contains("-p .git/", wire);
        Assert.Equal(["- extra1", "- extra2"], wire[^2..]);
        Assert.Equal("RCS", Strings(list.GetWireRules(28, localIsSender: true, deleteMode: true))[0]);
    }
}
