using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// -U/--atimes asked of a sending daemon: every entry but a directory carries its access time in the list (flist.c:
/// send_file_entry, XMIT_SAME_ATIME), which stock's client lists and sets; a receiving one reads and sets those a
/// stock client sends, as stock's daemon does.
/// </summary>
public sealed partial class ModuleParameterTests
{
    [Fact]
    public async Task A_pull_with_atimes_lists_and_sets_the_access_times_as_from_stock()
    {
        var accessed = new DateTime(2023, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        foreach (RsyncDaemonFixture d in Both)
        {
            string mod = Module(d, ParameterModules.Plain);
            Directory.CreateDirectory(Path.Combine(mod, "dir"));
            string[] files = ["a", "b", "dir/c", "dir/d"];
            for (int i = 0; i < files.Length; i++)
            {
                string path = Path.Combine(mod, files[i]);
                File.WriteAllText(path, files[i]);
                File.SetLastWriteTimeUtc(path, Stamp);
                // Two files share an access time (sent once, then "the same as before").
                File.SetLastAccessTimeUtc(path, accessed.AddDays(i / 2));
            }
            File.CreateSymbolicLink(Path.Combine(mod, "link"), "a");
            foreach (string dir in (string[])[Path.Combine(mod, "dir"), mod])
                Directory.SetLastWriteTimeUtc(dir, Stamp);
        }
        var list = await BothAsync(d => ["-rU", d.Url + $"{ParameterModules.Plain}/{_id}/"]);
        AssertSame(list);
        Assert.Equal(0, list.Ours.ExitCode);
        Assert.Contains("2023/05/06", list.Ours.Stdout);

        var pull = await BothAsync(d => ["-aU", d.Url + $"{ParameterModules.Plain}/{_id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        // Read before the snapshot, which reads the files (and so moves their access times).
        foreach (string f in (string[])["a", "b", "dir/c", "dir/d"])
            Assert.Equal(File.GetLastAccessTimeUtc(Path.Combine(Local(stock), f)), File.GetLastAccessTimeUtc(Path.Combine(Local(ours), f)));
        Assert.Equal(accessed.AddDays(1), File.GetLastAccessTimeUtc(Path.Combine(Local(ours), "dir/c")));
        // (The symlink's own time is the moment each module's link was made.)
        Assert.Equal(TreeSnapshot.Of(Local(stock), rootTimes: false, symlinkTimes: false),
            TreeSnapshot.Of(Local(ours), rootTimes: false, symlinkTimes: false));

        // A push with -U into the module: the receiving daemon reads and sets them (rsync.c: set_file_attrs) and
        // itemizes a difference ('u'), as stock's does. The pulled copies' access times are set again first (the
        // snapshot above read them), a second push into the same place changes only them.
        async Task AgeAsync(DateTime when)
        {
            foreach (RsyncDaemonFixture d in Both)
            {
                foreach (string f in (string[])["a", "b", "dir/c", "dir/d"])
                    File.SetLastAccessTimeUtc(Path.Combine(Local(d), f), when);
                ProcessResult touch = await ToolProcess.RunAsync("touch", ["-a", "-h", "-d", "@1600000000", Path.Combine(Local(d), "link")]);
                Assert.True(touch.ExitCode == 0, touch.Stderr);
            }
        }
        await AgeAsync(accessed);
        var push = await BothAsync(d => ["-aiU", Local(d) + "/", d.Url + $"{ParameterModules.Plain}/{_id}/back/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        await AgeAsync(accessed.AddDays(9));
        var again = await BothAsync(d => ["-aiU", Local(d) + "/", d.Url + $"{ParameterModules.Plain}/{_id}/back/"]);
        AssertSame(again);
        Assert.Equal(0, again.Ours.ExitCode);
        Assert.Contains(".f......u.. dir/c", again.Ours.Stdout);
        // (Not the symlink's: the second push's generator reads the link it made (readlink, relatime), so its access
        // time is the moment of that read, which the two daemons do not share.)
        foreach (string f in (string[])["a", "b", "dir/c", "dir/d"])
        {
            string stockBack = Path.Combine(Module(stock, ParameterModules.Plain), "back", f), oursBack = Path.Combine(Module(ours, ParameterModules.Plain), "back", f);
            Assert.Equal(0, ManagedRsync.Platform.NativeStat.TryLstat(stockBack, out ManagedRsync.Platform.NativeStat.Info s1));
            Assert.Equal(0, ManagedRsync.Platform.NativeStat.TryLstat(oursBack, out ManagedRsync.Platform.NativeStat.Info s2));
            Assert.True(s1.ATime == s2.ATime, $"{f}: stock's daemon left {s1.ATime}, ours {s2.ATime}");
        }
        Assert.Equal(new DateTimeOffset(accessed.AddDays(9)).ToUnixTimeSeconds(),
            File.GetLastAccessTimeUtc(Path.Combine(Module(ours, ParameterModules.Plain), "back", "dir/c")) is var at ? new DateTimeOffset(at).ToUnixTimeSeconds() : 0);
    }
}
