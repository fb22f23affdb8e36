using System.Buffers.Binary;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Push;

namespace ManagedRsync.InteropTests.Batch;

/// <summary>
/// --write-batch beside stock rsync 3.5.0 on a push, a pull and a local copy: the same command line makes the same
/// tree, itemizes the same and exits the same; FILE.sh says the same (but the program's name); the batch starts with
/// the same stream flags and protocol; and stock's --read-batch replays our batch onto the old destination, as it
/// replays its own (rsync batch.c, io.c: start_write_batch). ReadBatchTests has the other direction and --only-write-batch.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class WriteBatchTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-write-batch-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<string> Directions => ["local", "pull", "push"];

    [Theory]
    [MemberData(nameof(Directions))]
    public async Task Stock_replays_our_batch_as_it_replays_its_own(string direction)
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, "a"), string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i}\n")));
        File.WriteAllText(Path.Combine(src, "d", "b"), "bee\n");
        File.WriteAllText(Path.Combine(src, "skip.o"), "object\n");
        Directory.SetLastWriteTimeUtc(Path.Combine(src, "d"), new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(src, new DateTime(2021, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        string pulled = daemon.ModulePath(DaemonModules.Open);
        if (direction == "pull")
            CopyTree(src, Path.Combine(pulled, "batch-src"));
        // What arrives: the source without what --exclude leaves out.
        string expected = Path.Combine(_work, "expected");
        CopyTree(src, expected);
        File.Delete(Path.Combine(expected, "skip.o"));
        Directory.SetLastWriteTimeUtc(expected, Directory.GetLastWriteTimeUtc(src));

        var results = new List<ProcessResult>();
        var batches = new List<string>();
        foreach (string who in new[] { "stock", "mine" })
        {
            string dest = direction == "push" ? Path.Combine(pulled, $"batch-{who}") : Path.Combine(_work, $"dest-{who}");
            OldDestination(dest);
            string batch = Path.Combine(_work, $"batch-{who}");
            batches.Add(batch);
            string from = direction == "pull" ? $"{daemon.Url}{DaemonModules.Open}/batch-src/" : src + "/";
            string to = direction == "push" ? $"{daemon.Url}{DaemonModules.Open}/batch-{who}/" : dest + "/";
            string[] args = ["-rtli", "--no-whole-file", "--exclude=*.o", $"--write-batch={batch}", from, to];
            results.Add(who == "stock" ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args));
            Assert.True(results[^1].ExitCode == 0, daemon.Explain([.. results]));
            TreeAssert.Equal(expected, dest, nanoseconds: false, hardLinks: false, directoryTimes: false);
        }
        Assert.Equal(results[0].Stdout, results[1].Stdout);

        // FILE.sh: the same words but the first (the program as started).
        string[] scripts = [.. batches.Select((b, i) => File.ReadAllText(b + ".sh").Replace(Path.GetFileName(b), "BATCH", StringComparison.Ordinal)
            .Replace(i == 0 ? "-stock/" : "-mine/", "-WHO/", StringComparison.Ordinal))];
        Assert.Equal(WithoutProgram(scripts[0]), WithoutProgram(scripts[1]));
        Assert.Contains("<<'#E#'\n- *.o\n#E#\n", scripts[1], StringComparison.Ordinal);
        Assert.Equal(Convert.ToString(File.GetUnixFileMode(batches[0] + ".sh")), Convert.ToString(File.GetUnixFileMode(batches[1] + ".sh")));
        Assert.Equal(File.GetUnixFileMode(batches[0]), File.GetUnixFileMode(batches[1]));

        // The header: stream flags and protocol as stock's (the compat flags and the seed are the session's).
        byte[][] heads = [.. batches.Select(b => File.ReadAllBytes(b)[..8])];
        Assert.Equal(heads[0], heads[1]);
        Assert.Equal(32, BinaryPrimitives.ReadInt32LittleEndian(heads[1].AsSpan(4)));

        // Stock replays either batch onto the old destination, and says the same of both.
        var replays = new List<ProcessResult>();
        foreach (string batch in batches)
        {
            string replay = Path.Combine(_work, "replay-" + Path.GetFileName(batch));
            OldDestination(replay);
            ProcessResult read = await daemon.RunRsyncAsync(["-rtli", $"--read-batch={batch}", replay + "/"]);
            Assert.True(read.ExitCode == 0, daemon.Explain(read));
            replays.Add(read);
            TreeAssert.Equal(expected, replay, nanoseconds: false, hardLinks: false, directoryTimes: false);
        }
        Assert.Equal(replays[0].Stdout, replays[1].Stdout);
        Assert.Contains(">f.st...... a\n", replays[1].Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_writes_no_batch_as_stock()
    {
        string src = Path.Combine(_work, "n");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x\n");
        foreach (string who in new[] { "stock", "mine" })
        {
            string batch = Path.Combine(_work, $"dry-{who}");
            string[] args = ["-a", "-n", $"--write-batch={batch}", src + "/", Path.Combine(_work, $"dry-dest-{who}") + "/"];
            ProcessResult r = who == "stock" ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args);
            Assert.True(r.ExitCode == 0, daemon.Explain(r));
            Assert.False(File.Exists(batch));
            Assert.False(File.Exists(batch + ".sh"));
        }
    }

    // The destination before the run: an older, shorter "a" (so that a delta is sent) and no d/.
    private static void OldDestination(string dest)
    {
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(dest, "a"), string.Concat(Enumerable.Range(0, 2500).Select(i => $"line {i}\n")));
        File.SetLastWriteTimeUtc(Path.Combine(dest, "a"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(dest, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    private static string WithoutProgram(string script) => script[(script.IndexOf("' ", StringComparison.Ordinal) + 1)..];

    private static void CopyTree(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            File.Copy(file, target, overwrite: true);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.SetLastWriteTimeUtc(Path.Combine(to, Path.GetRelativePath(from, dir)), Directory.GetLastWriteTimeUtc(dir));
    }
}
