using System.Security.Cryptography;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// The last steps of a pulled file on the client (rsync.c: finish_transfer: the attributes on the temporary file, the
/// rename), which mrsync's receiving client does in line (ReceiverRole.Finishing.cs), with and without -v: side by
/// side with stock's client, pulling from stock's daemon. Every file lands with its time and mode; a file that cannot take its name (an immutable file in the
/// destination: the rename fails with EPERM, even for root) is reported in stock's words, the run goes on with the
/// others and ends as a partial transfer (exit 23), and no temporary file is left. Needs root (chattr +i).
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed class PullFinishingTests(RsyncDaemonFixture daemon) : IDisposable
{
    private static readonly DateTime Old = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private static readonly DateTime New = new(2024, 6, 7, 8, 9, 10, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-pull-finish-").FullName;
    private readonly string _source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "finish-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<string> _locked = [];

    public void Dispose()
    {
        // An immutable file cannot be deleted: the flag goes first, whatever the test did.
        foreach (string path in _locked)
            ToolProcess.RunAsync("chattr", ["-i", path]).GetAwaiter().GetResult();
        Directory.Delete(_work, recursive: true);
        if (Directory.Exists(_source))
            Directory.Delete(_source, recursive: true);
    }

    private string Url => $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(_source)}/";

    private static void Write(string root, string name, string text, DateTime time, UnixFileMode mode = (UnixFileMode)0x1A4)
    {
        string path = Path.Combine(root, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        File.SetLastWriteTimeUtc(path, time);
    }

    private void WriteSource()
    {
        Write(_source, "a", "first\n", New);
        Write(_source, "dir/locked", "new contents\n", New);
        Write(_source, "dir/next", "after the locked one\n", New, (UnixFileMode)0x1ED /* 0755 */);
        for (int i = 0; i < 300; i++)
            Write(_source, $"many/d{i % 5}/f{i:000}", $"file {i}\n", New.AddSeconds(i), (UnixFileMode)(i % 2 == 0 ? 0x180 : 0x1A4));
        Write(_source, "z", "last\n", New);
    }

    // The destinations' paths and the temporary name's random part (receiver.c: get_tmpname's ".NAME.XXXXXX").
    private static string Normalize(string text, string dest) =>
        Regex.Replace(text.Replace(dest, "DEST", StringComparison.Ordinal), @"(\.[^/\s]+\.)[A-Za-z0-9]{6}\b", "$1XXXXXX");

    // -v's lines but the totals ("sent N bytes  received N bytes ...", "total size is ..."): the byte counts of
    // stock's and mrsync's clients are not compared here.
    private static string[] Lines(string stdout, string dest) =>
        [.. Normalize(stdout, dest).Split('\n').Where(l => !l.StartsWith("sent ", StringComparison.Ordinal) && !l.StartsWith("total size is ", StringComparison.Ordinal))];

    private static string[] Names(string root) =>
        [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];

    // Without -v (the finishing thread), with -v (in line: its lines keep stock's order); with incremental recursion
    // (the thread settles each file for the generator), without it, and at protocol 29 (one phase less).
    [Theory]
    [InlineData("-a")]
    [InlineData("-a", "--no-inc-recursive")]
    [InlineData("-a", "--protocol=29")]
    [InlineData("-av")]
    public async Task Pulled_files_take_their_names_and_attributes_as_with_stocks_client(params string[] options)
    {
        WriteSource();
        string stockDest = Path.Combine(_work, "stock"), ourDest = Path.Combine(_work, "ours");

        ProcessResult stockRun = await daemon.RunRsyncAsync([.. options, Url, stockDest + "/"]);
        ProcessResult ourRun = await daemon.RunMrsyncAsync([.. options, Url, ourDest + "/"]);

        Assert.True(stockRun.ExitCode == 0, daemon.Explain(stockRun));
        Assert.True(ourRun.ExitCode == 0, daemon.Explain(ourRun, stockRun));
        Assert.Equal(Lines(stockRun.Stdout, stockDest), Lines(ourRun.Stdout, ourDest));
        Assert.Equal(Names(_source), Names(ourDest));
        foreach (string name in Names(_source))
        {
            string source = Path.Combine(_source, name), copy = Path.Combine(ourDest, name);
            Assert.Equal(File.ReadAllText(source), File.ReadAllText(copy));
            Assert.Equal(File.GetLastWriteTimeUtc(source), File.GetLastWriteTimeUtc(copy));
            Assert.Equal(File.GetUnixFileMode(source), File.GetUnixFileMode(copy));
            Assert.Equal(File.GetUnixFileMode(Path.Combine(stockDest, name)), File.GetUnixFileMode(copy));
        }
    }

    /// <summary>
    /// A file that vanishes between the list and its turn on the daemon's sender (sender.c: send_files, ENOENT:
    /// "file has vanished", IOERR_VANISHED, MSG_NO_SEND and MSG_IO_ERROR; io.c: FES_NO_SEND marks no error; cleanup.c:
    /// _exit_cleanup, log.c: log_exit "rsync warning: ... (code 24)"): the pull ends 24, as stock's client ends it.
    /// "next" goes once "big" is on its way (its temporary file is there); stock's sender opens "next" only when the last
    /// of "big" is in its output buffer (io.c: 32 KiB and up), which --bwlimit, forwarded to the daemon, holds back for
    /// most of a second (protocol-notes §89).
    /// </summary>
    [Fact]
    public async Task A_file_that_vanishes_before_its_turn_ends_the_pull_24_as_with_stocks_client()
    {
        var results = new List<ProcessResult>();
        foreach (bool stock in (bool[])[true, false])
        {
            Directory.CreateDirectory(_source);
            File.WriteAllBytes(Path.Combine(_source, "big"), RandomNumberGenerator.GetBytes(256 * 1024));
            Write(_source, "next", "gone before its turn\n", New);
            string dest = Path.Combine(_work, stock ? "stock" : "ours");
            Directory.CreateDirectory(dest);
            string[] args = ["-r", "--bwlimit=256", Url, dest + "/"];
            // On a thread of its own: the in-process mrsync need not yield to this loop before it ends.
            Task<ProcessResult> run = Task.Run(() => stock ? daemon.RunRsyncAsync(args) : daemon.RunMrsyncAsync(args));
            bool sending = false;
            while (!run.IsCompleted && !(sending = Directory.EnumerateFiles(dest).Any(p => Path.GetFileName(p).StartsWith(".big.", StringComparison.Ordinal))))
                await Task.Delay(5);
            File.Delete(Path.Combine(_source, "next"));
            ProcessResult result = await run;
            Assert.True(sending, $"the run ended before \"big\" was seen on its way\n{result}");
            results.Add(result);
        }
        ProcessResult stockRun = results[0], ourRun = results[1];
        Assert.True(stockRun.ExitCode == 24, daemon.Explain(stockRun));
        Assert.True(ourRun.ExitCode == 24, daemon.Explain(ourRun, stockRun));
        // Stock's last line names its own source position ("... (code 24) at main.c(NNN) [generator=3.5.0]").
        static string Words(string stderr) => Regex.Replace(stderr, @"(\(code \d+\)) at \S+ \[\w+=[\d.]+\]", "$1");
        Assert.Equal(Words(stockRun.Stderr), Words(ourRun.Stderr));
        Assert.Contains("rsync warning: some files vanished before they could be transferred (code 24)", ourRun.Stderr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_source, "big")), File.ReadAllBytes(Path.Combine(_work, "ours", "big")));
    }

    [Theory]
    [InlineData("-a")]
    [InlineData("-a", "--no-inc-recursive")]
    [InlineData("-a", "--protocol=29")]
    [InlineData("-av")]
    public async Task A_file_that_cannot_take_its_name_fails_alone_in_stocks_words(params string[] options)
    {
        Assert.True(Environment.UserName == "root", "the test makes a file immutable (chattr +i): it needs root");
        WriteSource();
        string stockDest = Path.Combine(_work, "stock"), ourDest = Path.Combine(_work, "ours");
        foreach (string dest in (string[])[stockDest, ourDest])
        {
            Write(dest, "dir/locked", "old\n", Old);
            string locked = Path.Combine(dest, "dir", "locked");
            ProcessResult chattr = await ToolProcess.RunAsync("chattr", ["+i", locked]);
            Assert.True(chattr.ExitCode == 0, $"chattr +i failed (the test directory must be on a file system with the immutable flag): {chattr.Stderr}");
            _locked.Add(locked);
            // Every directory's time fixed, so that which of them -v lists does not depend on the moment.
            foreach (string dir in Directory.GetDirectories(dest, "*", SearchOption.AllDirectories).Append(dest))
                Directory.SetLastWriteTimeUtc(dir, Old);
        }
        foreach (string dir in Directory.GetDirectories(_source, "*", SearchOption.AllDirectories).Append(_source))
            Directory.SetLastWriteTimeUtc(dir, New);

        ProcessResult stockRun = await daemon.RunRsyncAsync([.. options, Url, stockDest + "/"]);
        ProcessResult ourRun = await daemon.RunMrsyncAsync([.. options, Url, ourDest + "/"]);

        Assert.True(stockRun.ExitCode == 23, daemon.Explain(stockRun));
        Assert.True(ourRun.ExitCode == 23, daemon.Explain(ourRun, stockRun));
        Assert.Equal(Lines(stockRun.Stdout, stockDest), Lines(ourRun.Stdout, ourDest));
        // Stock's last line names its own source position ("rsync error: ... at main.c(NNN) [generator=3.5.0]").
        string Errors(string text, string dest) =>
            string.Join('\n', Normalize(text, dest).Split('\n').Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal)));
        Assert.Equal(Errors(stockRun.Stderr, stockDest), Errors(ourRun.Stderr, ourDest));
        Assert.Contains("rsync: [receiver] rename \"DEST/dir/.locked.XXXXXX\" -> \"dir/locked\": Operation not permitted (1)",
            Normalize(ourRun.Stderr, ourDest), StringComparison.Ordinal);

        foreach (string dest in (string[])[stockDest, ourDest])
        {
            Assert.Equal("old\n", File.ReadAllText(Path.Combine(dest, "dir", "locked")));
            Assert.Equal("after the locked one\n", File.ReadAllText(Path.Combine(dest, "dir", "next")));
            Assert.Equal("last\n", File.ReadAllText(Path.Combine(dest, "z")));
            Assert.Equal(New.AddSeconds(299), File.GetLastWriteTimeUtc(Path.Combine(dest, "many", "d4", "f299")));
            // No temporary file is left: every name in the destination is one the source has.
            Assert.Equal(Names(_source), Names(dest));
        }
    }
}
