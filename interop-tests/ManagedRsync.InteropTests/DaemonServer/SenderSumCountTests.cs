using System.Diagnostics;
using Xunit.Abstractions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// How many block sums a sending side takes (protocol-notes 85). Stock's sender allocates a file's sums through
/// util2.c: my_alloc (sender.c: receive_sums, 24-byte sum_bufs): at the default --max-alloc of 1 GiB it takes up to
/// 44,739,241 and fails at 44,739,242 with "[sender] exceeded --max-alloc=1073741824 setting (file=sender.c,
/// line=364)", exit 22; with --max-alloc=0 it has no limit there. Sums only come for a basis, so the receiving side
/// holds a file of the same length and an older time: `-B 8` on 130 MiB is 17,039,360 sums (above the 2^24 our sender
/// once refused), on 342 MiB 44,826,624 (above stock's limit). The sources and bases are sparse or filled by a seeded
/// generator, each run a single file, so that the class stays near 30 seconds.
/// </summary>
[Collection(OptionDaemonCollection.Name)]
public sealed class SenderSumCountTests(StockOptionDaemonFixture stock, MrsyncOptionDaemonFixture ours, ITestOutputHelper output) : IDisposable
{
    private const long Passing = 130L << 20;
    private const long Failing = 342L << 20;
    private const string Exceeded = "[sender] exceeded --max-alloc=1073741824 setting (file=sender.c, line=364)";
    private static readonly DateTime Old = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-maxsums-").FullName;
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public void Dispose()
    {
        output.WriteLine($"took {_clock.Elapsed.TotalSeconds:F1} s");
        Directory.Delete(_work, recursive: true);
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            if (Directory.Exists(Mine(d)))
                Directory.Delete(Mine(d), recursive: true);
        }
    }

    private string Mine(RsyncDaemonFixture d) => Path.Combine(d.ModulePath(OptionModules.Writable), _id);

    private string Url(RsyncDaemonFixture d, string name) => $"{d.Url}{OptionModules.Writable}/{_id}/{name}";

    // A file of `length` bytes: zeros (sparse) or a seeded generator's bytes, then stamped `time`.
    private static string Make(string dir, string name, long length, int? seed, DateTime time)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        using (var f = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            if (seed is int s)
            {
                var random = new Random(s);
                byte[] chunk = new byte[1 << 20];
                for (long done = 0; done < length; done += chunk.Length)
                {
                    random.NextBytes(chunk);
                    f.Write(chunk, 0, (int)Math.Min(chunk.Length, length - done));
                }
            }
            else
            {
                f.SetLength(length);
            }
        }
        File.SetLastWriteTimeUtc(path, time);
        return path;
    }

    private static void AssertSameBytes(string expected, string actual)
    {
        using var a = File.OpenRead(expected);
        using var b = File.OpenRead(actual);
        Assert.Equal(a.Length, b.Length);
        byte[] x = new byte[1 << 20], y = new byte[1 << 20];
        while (true)
        {
            int n = a.ReadAtLeast(x, x.Length, throwOnEndOfStream: false);
            int m = b.ReadAtLeast(y, y.Length, throwOnEndOfStream: false);
            Assert.Equal(n, m);
            if (n == 0)
                return;
            Assert.True(x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)), $"{actual} differs from {expected}");
        }
    }

    // Every stderr line but stock's closing "rsync error: ... at util2.c(80) [sender=3.5.0]", our client's
    // "mrsync: the daemon ended ..."/"mrsync error: ..." lines and the reset that stock's daemon sometimes leaves its
    // client to read ("rsync: [receiver] read error: Connection reset by peer (104)": it exits without reading what
    // the client still sends, and whether that client reads first depends on timing): the line that says why.
    private static string Why(ProcessResult r) => string.Join('\n', r.Stderr.Split('\n')
        .Where(l => l.Length > 0 && !l.StartsWith("rsync error: ", StringComparison.Ordinal) && !l.StartsWith("mrsync", StringComparison.Ordinal)
            && !l.EndsWith("read error: Connection reset by peer (104)", StringComparison.Ordinal)));

    /// <summary>
    /// 17,039,360 sums: stock's client pulls the file from stock's daemon and from ours (ours once failed it with a
    /// protocol error, exit 12), and our client pushes it into stock's daemon; each replaces the basis with the source.
    /// </summary>
    [Fact]
    public async Task More_than_2_to_the_24_sums_are_taken_as_stocks_sender_takes_them()
    {
        string src = Make(Path.Combine(_work, "src"), "mid", Passing, seed: 18, DateTime.UtcNow.AddMinutes(-1));
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            File.Copy(src, Path.Combine(Directory.CreateDirectory(Mine(d)).FullName, "mid"));
            string basis = Make(Path.Combine(_work, "pulled-" + d.GetType().Name), "mid", Passing, seed: null, Old);
            var r = await d.RunRsyncAsync(["-B", "8", Url(d, "mid"), basis]);
            Assert.True(r.ExitCode == 0, d.Explain(r));
            AssertSameBytes(src, basis);
        }

        string pushed = Make(Path.Combine(Mine(stock), "push"), "mid", Passing, seed: null, Old);
        var o = await stock.RunMrsyncAsync(["-B", "8", src, Url(stock, "push/mid")]);
        Assert.True(o.ExitCode == 0, stock.Explain(o));
        AssertSameBytes(src, pushed);
    }

    /// <summary>
    /// 44,826,624 sums: stock's daemon and ours fail the pull with the sender's line and exit 22, which stock's client
    /// prints and exits with; stock's client and ours fail a push into stock's daemon and a local copy alike. The basis
    /// stays as it was.
    /// </summary>
    [Fact]
    public async Task Above_stocks_default_limit_both_senders_fail_with_exit_22()
    {
        string src = Make(Path.Combine(_work, "src"), "big", Failing, seed: null, DateTime.UtcNow.AddMinutes(-1));
        foreach (RsyncDaemonFixture d in (RsyncDaemonFixture[])[stock, ours])
        {
            Make(Mine(d), "big", Failing, seed: null, DateTime.UtcNow.AddMinutes(-1));
            string basis = Make(Path.Combine(_work, "pulled-" + d.GetType().Name), "big", Failing + 1, seed: null, Old);
            var r = await d.RunRsyncAsync(["-B", "8", Url(d, "big"), basis]);
            Assert.True(r.ExitCode == 22, d.Explain(r));
            Assert.True(Why(r) == Exceeded, d.Explain(r));
            Assert.Equal(Failing + 1, new FileInfo(basis).Length);
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(basis)!));
        }

        Make(Path.Combine(Mine(stock), "push"), "big", Failing + 1, seed: null, Old);
        var s = await stock.RunRsyncAsync(["-B", "8", src, Url(stock, "push/big")]);
        var o = await stock.RunMrsyncAsync(["-B", "8", src, Url(stock, "push/big")]);
        Assert.True(s.ExitCode == 22 && o.ExitCode == 22, stock.Explain(s, o));
        Assert.True(Why(s) == Exceeded && Why(o) == Exceeded, stock.Explain(s, o));
        Assert.Contains("mrsync error: error allocating core memory buffers (code 22)", o.Stderr, StringComparison.Ordinal);
        Assert.Equal(Failing + 1, new FileInfo(Path.Combine(Mine(stock), "push", "big")).Length);

        // A local copy's sender fails alike (stock's generator adds its own "rsync error: received SIGUSR1 (code 19)").
        string stockLocal = Make(Path.Combine(_work, "local-stock"), "big", Failing + 1, seed: null, Old);
        string ourLocal = Make(Path.Combine(_work, "local-ours"), "big", Failing + 1, seed: null, Old);
        s = await stock.RunRsyncAsync(["-B", "8", "--no-W", src, stockLocal]);
        o = await stock.RunMrsyncAsync(["-B", "8", "--no-W", src, ourLocal]);
        Assert.True(s.ExitCode == 22 && o.ExitCode == 22, stock.Explain(s, o));
        Assert.True(Why(s) == Exceeded && Why(o) == Exceeded, stock.Explain(s, o));
        Assert.Equal(Failing + 1, new FileInfo(ourLocal).Length);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(ourLocal)!));
    }

    /// <summary>
    /// --max-alloc=0 lifts the limit on both sides: stock's client pulls the same 44,826,624 sums from our daemon (its
    /// sparse source and basis: every block matches).
    /// </summary>
    [Fact]
    public async Task With_max_alloc_0_our_daemon_takes_what_stocks_default_refuses()
    {
        Make(Mine(ours), "big", Failing, seed: null, DateTime.UtcNow.AddMinutes(-1));
        string basis = Make(Path.Combine(_work, "pulled"), "big", Failing, seed: null, Old);
        var r = await ours.RunRsyncAsync(["-B", "8", "--max-alloc=0", "--stats", Url(ours, "big"), basis]);
        Assert.True(r.ExitCode == 0, ours.Explain(r));
        Assert.Contains("Matched data: 358,612,992 bytes", r.Stdout, StringComparison.Ordinal);
        Assert.True(File.GetLastWriteTimeUtc(basis) > Old, "the file was not replaced");
    }
}
