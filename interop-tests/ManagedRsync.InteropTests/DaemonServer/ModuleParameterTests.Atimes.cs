using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// -U/--atimes asked of a sending daemon: every entry but a directory carries its access time in the list (flist.c:
/// send_file_entry, XMIT_SAME_ATIME), which stock's client lists and sets. A receiving `mrsync daemon` still refuses -U
/// by name.
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

        // A push with -U is refused by name, as before.
        var push = await ours.RunRsyncAsync(["-aU", Local(ours) + "/", ours.Url + $"{ParameterModules.Plain}/{_id}/"]);
        Assert.Equal(4, push.ExitCode);
        Assert.Contains("The server does not support --atimes (-U)", push.Stderr);
    }
}
