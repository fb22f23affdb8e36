using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// "incoming chmod" and "outgoing chmod" (clientserver.c: rsync_module appends them to the client's chmod rules, and a
/// receiving daemon applies them again to the mode each entry ends with, rsync.c: set_file_attrs), and the global
/// "socket options" both daemons of this collection start with: stock's client against `rsync --daemon` and against
/// `mrsync daemon`, the trees compared with their modes.
/// </summary>
public sealed partial class ModuleParameterTests
{
    private static readonly DateTime Stamp = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    // Files and directories whose modes every rule of the chmod modules changes: set-id, x bits, group and other w.
    private static void ModeTree(string root, string fileMode = "", string dirMode = "")
    {
        (string Name, string Mode)[] files =
            [("plain", "644"), ("exec", "755"), ("setuid", "4755"), ("open", "666"), ("d1/inner", "600"), ("d2/deep/x", "775")];
        (string Name, string Mode)[] dirs = [("d1", "750"), ("d2", "777"), ("d2/deep", "2755")];
        foreach ((string name, _) in dirs)
            Directory.CreateDirectory(Path.Combine(root, name));
        foreach ((string name, string mode) in files)
        {
            string path = Path.Combine(root, name);
            File.WriteAllText(path, name);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(fileMode.Length > 0 ? fileMode : mode, 8));
            File.SetLastWriteTimeUtc(path, Stamp);
        }
        foreach ((string name, string mode) in dirs.Reverse())
        {
            string path = Path.Combine(root, name);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32(dirMode.Length > 0 ? dirMode : mode, 8));
            Directory.SetLastWriteTimeUtc(path, Stamp);
        }
    }

    // The two trees as text, which must be the same; ours is returned for a closer look.
    private static string SameTree(string stockRoot, string oursRoot)
    {
        string tree = TreeSnapshot.Of(oursRoot, rootTimes: false);
        Assert.Equal(TreeSnapshot.Of(stockRoot, rootTimes: false), tree);
        return tree;
    }

    [Fact]
    public async Task Incoming_chmod_changes_the_modes_of_what_is_pushed_as_stock()
    {
        string src = Path.Combine(_work, "modes");
        ModeTree(src);
        var push = await BothAsync(d => ["-av", src + "/", d.Url + $"{ParameterModules.IncomingChmod}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string tree = SameTree(Module(stock, ParameterModules.IncomingChmod), Module(ours, ParameterModules.IncomingChmod));
        // Fu+x on files, g-w and o=r on everything, then Dg+s,Do-rwx on directories.
        Assert.Contains("plain file 744 ", tree);
        Assert.True(tree.Contains("d2 dir 2750 ", StringComparison.Ordinal), tree);

        // Pushed again, nothing is transferred, and the itemized output (which compares the list's modes) is stock's.
        var again = await BothAsync(d => ["-avi", src + "/", d.Url + $"{ParameterModules.IncomingChmod}/{_id}/"]);
        AssertSame(again);
        SameTree(Module(stock, ParameterModules.IncomingChmod), Module(ours, ParameterModules.IncomingChmod));
    }

    [Fact]
    public async Task Incoming_chmod_without_perms_changes_new_and_existing_entries_as_stock()
    {
        // Without -p a new entry gets the sender's mode less the umask and an existing one keeps its own; either way
        // the module's rules are applied to it after that (rsync.c: dest_mode, then set_file_attrs), also to a file
        // that is already up to date.
        string src = Path.Combine(_work, "modes");
        ModeTree(src);
        File.WriteAllText(Path.Combine(src, "new-file"), "n");
        foreach (RsyncDaemonFixture d in Both)
        {
            string dest = Module(d, ParameterModules.IncomingChmod);
            ModeTree(dest, fileMode: "666", dirMode: "777");
            File.WriteAllText(Path.Combine(dest, "exec"), "changed content");
            File.SetUnixFileMode(Path.Combine(dest, "exec"), (UnixFileMode)Convert.ToInt32("666", 8));
        }
        var push = await BothAsync(d => ["-rtv", "--no-perms", src + "/", d.Url + $"{ParameterModules.IncomingChmod}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string tree = SameTree(Module(stock, ParameterModules.IncomingChmod), Module(ours, ParameterModules.IncomingChmod));
        // An up-to-date file it had as 666: u+x, g-w, o=r.
        Assert.Contains("plain file 744 ", tree);
    }

    [Fact]
    public async Task Outgoing_chmod_changes_the_modes_of_what_is_pulled_and_not_the_module()
    {
        foreach (RsyncDaemonFixture d in Both)
            ModeTree(Module(d, ParameterModules.OutgoingChmod));
        var pull = await BothAsync(d => ["-av", d.Url + $"{ParameterModules.OutgoingChmod}/{_id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(0, pull.Ours.ExitCode);
        string tree = SameTree(Local(stock), Local(ours));
        // F-x on files, o-rwx on everything, Dg-w on directories; the module's own "incoming chmod" plays no part in a pull.
        Assert.Contains("exec file 640 ", tree);
        Assert.True(tree.Contains("d2 dir 750 ", StringComparison.Ordinal), tree);
        SameTree(Module(stock, ParameterModules.OutgoingChmod), Module(ours, ParameterModules.OutgoingChmod));
    }

    [Fact]
    public async Task A_malformed_incoming_chmod_is_logged_and_changes_nothing_as_stock()
    {
        string src = Path.Combine(_work, "modes");
        ModeTree(src);
        int stockMark = stock.LogMark(), oursMark = ours.LogMark();
        var push = await BothAsync(d => ["-av", src + "/", d.Url + $"{ParameterModules.BadChmod}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        Assert.Equal(TreeSnapshot.Of(src, rootTimes: false), TreeSnapshot.Of(Module(ours, ParameterModules.BadChmod), rootTimes: false));
        SameTree(Module(stock, ParameterModules.BadChmod), Module(ours, ParameterModules.BadChmod));
        const string logged = "Invalid \"incoming chmod\" directive: g=ur";
        Assert.Contains(logged, stock.DaemonLogSince(stockMark));
        Assert.Contains(logged, ours.DaemonLogSince(oursMark));
    }

    [Fact]
    public async Task Socket_options_with_an_unknown_name_still_serve_and_the_start_is_logged_as_stock()
    {
        // socket.c: set_socket_options reports an unknown name and sets the others on the listening socket.
        var list = await BothAsync(d => [d.Url]);
        AssertSame(list);
        Assert.Equal(0, list.Ours.ExitCode);
        Assert.Contains(ParameterModules.IncomingChmod, list.Ours.Stdout);
        // clientserver.c: daemon_main logs "rsyncd version V starting, listening on port N" (V: each its own version).
        foreach (RsyncDaemonFixture d in Both)
            Assert.Matches($@"\] rsyncd version [0-9.]+ starting, listening on port {d.Port}\n", d.DaemonLog);
    }
}
