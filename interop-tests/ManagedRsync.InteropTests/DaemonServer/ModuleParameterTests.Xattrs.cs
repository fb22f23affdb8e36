using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// -X into and out of a "fake super = yes" module (clientserver.c: rsync_module sets am_root -1 and turns -XX into -X):
/// the module keeps the client's user.* xattrs as they are, the other namespaces disguised under user.rsync.
/// (xattrs.c: receive_xattr), beside the user.rsync.%stat it keeps for itself, which is never sent (rsync_xal_get);
/// pulled back, the disguise comes off (send_xattr). Stock's client against `rsync --daemon` and `mrsync daemon`.
/// </summary>
public sealed partial class ModuleParameterTests
{
    [Theory]
    [InlineData("-aiX")]
    [InlineData("-aiXX")]
    public async Task A_fake_super_module_keeps_and_gives_back_xattrs_as_stock(string options)
    {
        string src = Path.Combine(_work, "xattr-src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "f"), "f\n");
        File.WriteAllText(Path.Combine(src, "d", "g"), "g\n");
        File.CreateSymbolicLink(Path.Combine(src, "l"), "f");
        File.SetUnixFileMode(Path.Combine(src, "d", "g"), (UnixFileMode)Convert.ToInt32("4755", 8));
        await XattrTrees.SetAsync(Path.Combine(src, "f"), "user.a", "0x01");
        await XattrTrees.SetAsync(Path.Combine(src, "f"), "user.long", "0x" + new string('a', 200));
        await XattrTrees.SetAsync(Path.Combine(src, "f"), "user.rsync.%own", "0x02");
        await XattrTrees.SetAsync(Path.Combine(src, "d", "g"), "trusted.t", "0x03");
        await XattrTrees.SetAsync(Path.Combine(src, "d"), "user.dir", "0x04");
        string url(RsyncDaemonFixture d) => d.Url + $"{ParameterModules.FakeSuper}/{_id}/x/";
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Module(d, ParameterModules.FakeSuper));

        var push = await BothAsync(d => [options, src + "/", url(d)]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string stockModule = Path.Combine(Module(stock, ParameterModules.FakeSuper), "x");
        string oursModule = Path.Combine(Module(ours, ParameterModules.FakeSuper), "x");
        string dump = await XattrTrees.DumpAsync(oursModule);
        Assert.Equal(await XattrTrees.DumpAsync(stockModule), dump);
        Assert.Contains("user.rsync.trusted.t=0x03", dump);
        Assert.Contains("user.rsync.%stat=", dump);

        // Only xattrs change; then stock pulls both modules back.
        await XattrTrees.SetAsync(Path.Combine(src, "f"), "user.a", "0x05");
        await XattrTrees.RemoveAsync(Path.Combine(src, "d"), "user.dir");
        var changed = await BothAsync(d => [options, src + "/", url(d)]);
        AssertSame(changed);
        Assert.Contains(".f........x f", changed.Ours.Stdout);
        Assert.Equal(await XattrTrees.DumpAsync(stockModule), await XattrTrees.DumpAsync(oursModule));

        var pull = await BothAsync(d => [options, url(d), Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        string back = await XattrTrees.DumpAsync(Local(ours));
        Assert.Equal(await XattrTrees.DumpAsync(Local(stock)), back);
        Assert.Contains("trusted.t=0x03", back);
        Assert.DoesNotContain("%stat", back);
    }

    /// <summary>
    /// A module's own 'x' rules (daemon_filter_list) decide which xattr names it takes in and gives out, before the
    /// client's (exclude.c: name_is_excluded): pushed into and pulled from the module by stock's client, beside the
    /// same module of `rsync --daemon`.
    /// </summary>
    [Theory]
    [InlineData("-aiX")]
    [InlineData("-aiX --no-i-r")]
    public async Task A_modules_xattr_rules_choose_the_names_as_stock(string options)
    {
        string src = Path.Combine(_work, "xfilter-src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "f"), "f\n");
        File.WriteAllText(Path.Combine(src, "d", "g"), "g\n");
        foreach (string p in new[] { Path.Combine(src, "f"), Path.Combine(src, "d") })
        {
            await XattrTrees.SetAsync(p, "user.secret", "0x01");
            await XattrTrees.SetAsync(p, "user.kept", "0x02");
            await XattrTrees.SetAsync(p, "user.keyless", "0x03");
            await XattrTrees.SetAsync(p, "user.other", "0x04");
        }
        string url(RsyncDaemonFixture d) => d.Url + $"{ParameterModules.XattrFiltered}/{_id}/x/";
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Module(d, ParameterModules.XattrFiltered));

        var push = await BothAsync(d => [.. options.Split(' '), src + "/", url(d)]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string stockModule = Path.Combine(Module(stock, ParameterModules.XattrFiltered), "x");
        string oursModule = Path.Combine(Module(ours, ParameterModules.XattrFiltered), "x");
        string dump = await XattrTrees.DumpAsync(oursModule);
        Assert.Equal(await XattrTrees.DumpAsync(stockModule), dump);
        Assert.Contains("user.kept=0x02", dump);
        Assert.Contains("user.other=0x04", dump);
        Assert.DoesNotContain("user.secret", dump);
        Assert.DoesNotContain("user.keyless", dump);

        // What the module holds beyond its rules is not given out either.
        foreach (string module in new[] { stockModule, oursModule })
            await XattrTrees.SetAsync(Path.Combine(module, "f"), "user.secret", "0x05");
        var pull = await BothAsync(d => [.. options.Split(' '), url(d), Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        string back = await XattrTrees.DumpAsync(Local(ours));
        Assert.Equal(await XattrTrees.DumpAsync(Local(stock)), back);
        Assert.DoesNotContain("user.secret", back);
        Assert.Contains("user.kept=0x02", back);
    }
}
