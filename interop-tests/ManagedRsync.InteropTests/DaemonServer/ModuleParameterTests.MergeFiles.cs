using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// A client's -M--filter=RULE reaches a sending daemon's own filter list (options.c: OPT_FILTER). A merge file it names
/// is read beneath the module, unless the module's own rules hide it: then it is taken as not there, silently, and
/// none of its rules applies (exclude.c: parse_filter_file checks the module-relative name; upstream
/// daemon-filter-merge-bypass). Stock's client against `mrsync daemon` and `rsync --daemon` with the same commands.
/// </summary>
public sealed partial class ModuleParameterTests
{
    [Theory]
    [InlineData("._/secret/rules-ID", "hidden by the module (/secret/): not read, everything arrives")]
    [InlineData("._/ID/rules.txt", "a merge file the module serves: its rule applies")]
    [InlineData("- other.txt", "a plain rule")]
    [InlineData("merge /secret/nested-ID", "hidden, though it exists, and names another")]
    [InlineData("._/ID/secret/rules", "the same name elsewhere: not hidden, its rule applies")]
    public async Task A_filter_rule_in_the_servers_arguments_acts_as_on_stocks_daemon(string rule, string why)
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            string mod = Module(d, ParameterModules.Filtered);
            Directory.CreateDirectory(Path.Combine(mod, "secret"));
            File.WriteAllText(Path.Combine(mod, "public.txt"), "public\n");
            File.WriteAllText(Path.Combine(mod, "other.txt"), "other\n");
            File.WriteAllText(Path.Combine(mod, "rules.txt"), "- public.txt\n");
            File.WriteAllText(Path.Combine(mod, "secret", "rules"), "- *.txt\n");
            // The module's own rules hide its top "secret" directory (exclude = /secret/).
            string hidden = Path.Combine(d.ModulePath(ParameterModules.Filtered), "secret");
            Directory.CreateDirectory(hidden);
            File.WriteAllText(Path.Combine(hidden, $"rules-{_id}"), "- *\n");
            File.WriteAllText(Path.Combine(hidden, $"nested-{_id}"), $"merge /{_id}/rules.txt\n");
            foreach (string f in Directory.GetFileSystemEntries(mod, "*", SearchOption.AllDirectories).Append(mod))
                File.SetLastWriteTimeUtc(f, Stamp);
        }
        string withId = rule.Replace("ID", _id, StringComparison.Ordinal);
        var pull = await BothAsync(d => ["-rtv", "-M--filter=" + withId, d.Url + $"{ParameterModules.Filtered}/{_id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        string stockTree = TreeSnapshot.Of(Local(stock), rootTimes: false), oursTree = TreeSnapshot.Of(Local(ours), rootTimes: false);
        Assert.True(stockTree == oursTree, $"{why}\n{stockTree}\n---\n{oursTree}");
        bool applies = rule.Contains("rules.txt") || rule.Contains("ID/secret");
        Assert.Equal(!applies, File.Exists(Path.Combine(Local(ours), "public.txt")));
    }
}
