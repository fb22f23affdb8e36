using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// -A with stock's client against `mrsync daemon` and, side by side, `rsync --daemon` (acls.c): a push of a tree of
/// named users and groups, masks and default ACLs into a plain module and into a "fake super" module (which keeps the
/// ACLs in user.rsync.%aacl / %dacl: acls.c set_rsync_acl with am_root &lt; 0), a second push after the ACLs alone
/// changed, and a pull of each module back. The client's output and exit code, getfacl's dumps and the fake-super
/// xattrs must be the same.
/// </summary>
public sealed partial class ModuleParameterTests
{
    [Theory]
    [InlineData(ParameterModules.Plain, "-aiA")]
    [InlineData(ParameterModules.Plain, "-aiA --no-inc-recursive")]
    [InlineData(ParameterModules.Plain, "-aiHA")]
    [InlineData(ParameterModules.FakeSuper, "-aiA")]
    [InlineData(ParameterModules.FakeSuper, "-aiA --numeric-ids")]
    public async Task Acls_pushed_into_and_pulled_from_a_module_as_stock(string module, string options)
    {
        string src = AclTrees.Write(Path.Combine(_work, "acl-src"));
        string url(RsyncDaemonFixture d) => d.Url + $"{module}/{_id}/";
        string[] args = options.Split(' ');
        bool fake = module == ParameterModules.FakeSuper;

        var push = await BothAsync(d => [.. args, src + "/", url(d)]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        AssertModulesAlike();

        AclTrees.Change(src);
        var changed = await BothAsync(d => [.. args, src + "/", url(d)]);
        AssertSame(changed);
        Assert.Contains("a. named", changed.Ours.Stdout);
        AssertModulesAlike();

        var pull = await BothAsync(d => [.. args, url(d), Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        Assert.Equal(AclTrees.Dump(Local(stock)), AclTrees.Dump(Local(ours)));

        void AssertModulesAlike()
        {
            Assert.Equal(AclTrees.Dump(Module(stock, module)), AclTrees.Dump(Module(ours, module)));
            if (fake)
                Assert.Equal(AclTrees.FakeSuperAcls(Module(stock, module)), AclTrees.FakeSuperAcls(Module(ours, module)));
        }
    }
}
