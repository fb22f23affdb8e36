using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Push;

/// <summary>
/// Nothing lost on the target: a source that cannot be read completely sets rsync's io_error, and the daemon then
/// deletes nothing (rsync generator.c: "IO error encountered -- skipping file deletion") once it knows of it. With the
/// whole list first (protocol 29, --no-i-r) that is before any deletion; with incremental recursion the error comes
/// with the list of the directory that could not be read, so the top directory, settled with the first list, has
/// already had its deletions, as stock's client gets them (generator.c: delete_in_dir per directory; protocol-notes
/// §25), and the directories listed after the error keep everything.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PushIoErrorInteropTests(RsyncDaemonFixture daemon) : IDisposable
{
    private const int Nobody = 65534;

    private readonly string _work = CreateWorldReadableDirectory();

    public void Dispose()
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(_work, "*", SearchOption.AllDirectories).ToList())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.Delete(_work, recursive: true);
    }

    [Theory]
    [InlineData(29, false)] // an int32 io_error after the list and its id lists (rsync flist.c: send_file_list)
    [InlineData(32, false)] // varint flags: varint 0 then varint io_error end the list (flist.c: write_end_of_flist)
    [InlineData(32, true)] // the io_error ends the list of "locked", before the list of "ok" (send_extra_file_list)
    public async Task UnreadableSourceSuppressesDeletions(int protocol, bool incremental)
    {
        // World-readable tree with one unreadable file and one unreadable directory (chmod 000).
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "ok"));
        File.WriteAllText(Path.Combine(src, "ok", "a.txt"), "readable a");
        File.WriteAllText(Path.Combine(src, "b.txt"), "readable b");
        File.WriteAllText(Path.Combine(src, "secret"), "unreadable");
        Directory.CreateDirectory(Path.Combine(src, "locked"));
        File.WriteAllText(Path.Combine(src, "locked", "hidden"), "in an unreadable directory");
        foreach (string path in Directory.EnumerateFileSystemEntries(_work, "*", SearchOption.AllDirectories).Append(src))
            File.SetUnixFileMode(path, Directory.Exists(path) ? WorldReadableDirectory : WorldReadableFile);
        File.SetUnixFileMode(Path.Combine(src, "secret"), UnixFileMode.None);
        File.SetUnixFileMode(Path.Combine(src, "locked"), UnixFileMode.None);

        // The module already holds extraneous files that --delete would remove.
        string name = $"ioerror-{protocol}-{Guid.NewGuid():N}";
        string dst = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        Directory.CreateDirectory(Path.Combine(dst, "ok"));
        File.WriteAllText(Path.Combine(dst, "extraneous"), "must survive");
        File.WriteAllText(Path.Combine(dst, "ok", "extraneous-too"), "must survive");

        ProcessResult r = await RunUnprivilegedMrsyncAsync(
            ["-a", "--delete", $"--protocol={protocol}", incremental ? "--i-r" : "--no-i-r", src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"]);

        Assert.True(r.ExitCode == 23, daemon.Explain(r));
        Assert.True(File.Exists(Path.Combine(dst, "extraneous")) != incremental, daemon.Explain(r));
        Assert.True(File.Exists(Path.Combine(dst, "ok", "extraneous-too")), daemon.Explain(r));
        Assert.Equal("readable a", File.ReadAllText(Path.Combine(dst, "ok", "a.txt")));
        Assert.Equal("readable b", File.ReadAllText(Path.Combine(dst, "b.txt")));
        Assert.False(File.Exists(Path.Combine(dst, "secret")));
        Assert.Contains("skipping file deletion", r.Stdout + r.Stderr);
        Assert.Contains("secret", r.Stderr);
        Assert.Contains("locked", r.Stderr);
    }

    private const UnixFileMode WorldReadableFile =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode WorldReadableDirectory = WorldReadableFile
        | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private static string CreateWorldReadableDirectory()
    {
        string dir = Directory.CreateTempSubdirectory("mrsync-ioerror-").FullName;
        File.SetUnixFileMode(dir, WorldReadableDirectory);
        return dir;
    }

    // chmod 000 does not stop root, so as root the mrsync process runs as nobody (setpriv, util-linux); it is the CLI
    // this build made, on the test's own runtime. MRSYNC_BIN (a published binary) is used when set, as elsewhere.
    private static async Task<ProcessResult> RunUnprivilegedMrsyncAsync(IEnumerable<string> args)
    {
        string? published = Environment.GetEnvironmentVariable("MRSYNC_BIN");
        string dir = AppContext.BaseDirectory;
        List<string> command = string.IsNullOrEmpty(published)
            ?
            [
                ToolProcess.FindOnPath("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH"), "exec",
                "--runtimeconfig", Path.Combine(dir, "ManagedRsync.InteropTests.runtimeconfig.json"),
                "--depsfile", Path.Combine(dir, "ManagedRsync.InteropTests.deps.json"),
                Path.Combine(dir, "mrsync.dll"),
            ]
            : [published];
        if (Environment.UserName == "root")
        {
            string setpriv = ToolProcess.FindOnPath("setpriv")
                ?? throw new InvalidOperationException("setpriv (util-linux) is needed to run mrsync as an unprivileged user");
            command.InsertRange(0, [setpriv, $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups"]);
        }
        return await ToolProcess.RunAsync(command[0], command.Skip(1).Concat(args),
            new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = null });
    }
}
