using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// How the coalescer cuts a burst, on a simulated clock (every millisecond the runner would look, it looks): a writer
/// that pauses often (a loaded machine) is cut in few batches, not at every pause; a writer that never pauses gets
/// its first batch at once rather than after --max-delay; no change waits longer than --max-delay; nothing is lost or
/// handed on twice; and single changes after a quiet spell, a burst included, still go at once.
/// </summary>
public sealed class BurstBatchingTests
{
    private static readonly CoalescerOptions Options = new()
    {
        Delay = TimeSpan.FromMilliseconds(10),
        MaxWait = TimeSpan.FromSeconds(1),
        MaxOpenWait = TimeSpan.FromSeconds(5),
    };

    /// <summary>A coalescer on a clock the test moves, with every batch and when each change went in and out.</summary>
    private sealed class Simulation
    {
        private readonly ChangeCoalescer _coalescer;
        private readonly Dictionary<string, long> _added = [];
        private long _now;

        public Simulation(long start)
        {
            _now = start;
            _coalescer = new ChangeCoalescer(Options, (_, items) =>
            {
                Batches.Add((_now, items.Select(kv => kv.Key.Text).ToList()));
                foreach (KeyValuePair<RawPath, PendingOp> kv in items)
                    LongestWait = Math.Max(LongestWait, _now - _added[kv.Key.Text]);
            });
        }

        public List<(long At, List<string> Paths)> Batches { get; } = [];
        public long LongestWait { get; private set; }
        public long Now => _now;

        public void Add(string path)
        {
            _added[path] = _now;
            _coalescer.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText(path), false), _now);
        }

        /// <summary>Moves the clock on <paramref name="ms"/>, letting the runner cut at every millisecond on the way.</summary>
        public void Pass(long ms)
        {
            _coalescer.CutIfDue(_now, force: false);
            for (long i = 0; i < ms; i++)
            {
                _now++;
                _coalescer.CutIfDue(_now, force: false);
            }
        }

        /// <summary>Every path handed on exactly once.</summary>
        public void AssertEachOnce(int count)
        {
            List<string> all = Batches.SelectMany(b => b.Paths).ToList();
            Assert.Equal(count, all.Count);
            Assert.Equal(count, all.Distinct().Count());
        }
    }

    [Fact]
    public void AWriterThatPausesOftenIsCutInFewBatchesNotAtEveryPause()
    {
        // 6,000 files in clumps of 20 with a 15 ms pause after each (longer than the 10 ms --delay), and a 40 ms stall
        // every 500 files: the rhythm of a writer sharing two cores with forty other processes. 4.6 s of writing.
        var sim = new Simulation(Environment.TickCount64 + 10_000);
        for (int i = 0; i < 6000; i++)
        {
            sim.Add($"d{i % 400:D3}/f{i:D5}");
            if (i % 500 == 499)
                sim.Pass(40);
            else if (i % 20 == 19)
                sim.Pass(15);
        }
        long lastChange = sim.Now;
        sim.Pass(2000);

        sim.AssertEachOnce(6000);
        // Cut at every pause, this was about 300 batches. Now: a few while the burst is being recognised, one per
        // 1,024 changes or per second at most, and a few at stalls longer than any before them.
        Assert.InRange(sim.Batches.Count, 2, 20);
        Assert.True(sim.LongestWait <= 1000, $"a change waited {sim.LongestWait} ms, longer than --max-delay");
        Assert.True(sim.Batches[^1].At - lastChange <= 1000, "the burst's tail waited longer than --max-delay after the last change");
    }

    [Fact]
    public void AWriterThatNeverPausesGetsItsFirstBatchAtOnce()
    {
        // 20 files every millisecond for 2 s (a writer on an idle machine): no quiet window ever closes.
        var sim = new Simulation(Environment.TickCount64 + 10_000);
        long start = sim.Now;
        for (int i = 0; i < 40_000; i++)
        {
            sim.Add($"d{i % 400:D3}/f{i:D5}");
            if (i % 20 == 19)
                sim.Pass(1);
        }
        long lastChange = sim.Now;
        sim.Pass(2000);

        sim.AssertEachOnce(40_000);
        // The first change goes at once (a quiet spell before it); the replicas get the burst's first batch when
        // 1,024 changes are pending, about 50 ms in, not after --max-delay (1 s).
        Assert.True(sim.Batches.Count >= 2);
        Assert.True(sim.Batches[1].At - start <= 100, $"the burst's first batch was cut {sim.Batches[1].At - start} ms in");
        Assert.All(sim.Batches.Take(sim.Batches.Count - 1).Skip(1), b => Assert.InRange(b.Paths.Count, ChangeCoalescer.BurstBatch, 2 * ChangeCoalescer.BurstBatch));
        Assert.True(sim.Batches[^1].At - lastChange <= 20, "the tail of a burst with no pauses waited for more than the quiet window");
        Assert.True(sim.LongestWait <= 1000);
    }

    [Fact]
    public void AnIdleSpellBeforeABurstDoesNotHoldBackItsTail()
    {
        // watch-compare.sh's burst: a warm-up file, 860 ms of nothing (the script's next steps), then 400 directories
        // and 10,000 files from a writer that never pauses, then silence. Counted as a pause of the burst, the idle
        // spell made the burst's window --max-delay, and its tail waited a second after the writer had finished.
        var sim = new Simulation(Environment.TickCount64 + 10_000);
        sim.Add("warm");
        sim.Pass(860);
        for (int d = 0; d < 400; d++)
            sim.Add($"burst/d{d:D3}");
        long lastChange = 0;
        for (int i = 0; i < 10_000; i++)
        {
            sim.Add($"burst/d{i % 400:D3}/f{i:D6}");
            lastChange = sim.Now;
            if (i % 30 == 29)
                sim.Pass(1); // 30,000 files a second: batches of 1,050 and a tail of 970
        }
        sim.Pass(2000);

        sim.AssertEachOnce(1 + 400 + 10_000);
        Assert.True(sim.Batches[^1].Paths.Count > 100, "the numbers are meant to leave a tail after the last burst-size cut");
        long tail = sim.Batches[^1].At - lastChange;
        Assert.True(tail <= (long)Options.Delay.TotalMilliseconds, $"the burst's tail was cut {tail} ms after its last change, not within --delay");
    }

    [Fact]
    public void AWriterThatPausesInsideAStreamStillWidensTheWindowAfterAnIdleSpell()
    {
        // The same idle spell, then a writer that pauses 30 ms after every 20 files (400 files, 0.6 s): its pauses
        // inside the stream still set the window (twice the longest, 60 ms), the idle spell before it does not.
        const int Pause = 30;
        var sim = new Simulation(Environment.TickCount64 + 10_000);
        sim.Add("warm");
        sim.Pass(860);
        long lastChange = 0;
        for (int i = 0; i < 400; i++)
        {
            sim.Add($"stream/f{i:D4}");
            lastChange = sim.Now;
            if (i % 20 == 19 && i < 399)
                sim.Pass(Pause);
        }
        sim.Pass(2000);

        sim.AssertEachOnce(1 + 400);
        // The warm-up; the stream's first change at once; a cut at each pause until the rate is a burst's (64 changes)
        // and a pause in it has been counted; then one batch for the rest, not one per pause (20).
        Assert.InRange(sim.Batches.Count, 3, 8);
        Assert.Equal(2 * Pause, sim.Batches[^1].At - lastChange);
    }

    [Fact]
    public void FilesStillOpenDoNotMakeEveryChangeABurstBatch()
    {
        // 1,500 files open for writing at once (a parallel unpack): a size cut sends none of them, and what follows
        // is not cut at every change because 1,024 are pending; it waits for its window as usual.
        var batches = new List<List<KeyValuePair<RawPath, PendingOp>>>();
        var c = new ChangeCoalescer(Options, (_, items) => batches.Add(items));
        long t = Environment.TickCount64 + 10_000;
        for (int i = 0; i < 1500; i++)
            c.Add(new WatchChange(ChangeKind.Writing, RawPath.FromText($"open/f{i:D4}"), false), t);
        Assert.True(c.CutIfDue(t, force: false) > 0);
        Assert.Empty(batches);
        c.Add(new WatchChange(ChangeKind.Changed, RawPath.FromText("done"), false), t);
        c.CutIfDue(t, force: false);
        Assert.Empty(batches); // one complete change beside 1,500 open files is no burst batch of 1,024
        c.CutIfDue(t + 1000, force: false);
        Assert.Equal("done", Assert.Single(Assert.Single(batches)).Key.Text);
        Assert.Equal(1500, c.Depth);
    }

    [Fact]
    public void SingleChangesStillGoAtOnceBeforeAndAfterABurst()
    {
        var sim = new Simulation(Environment.TickCount64 + 10_000);
        sim.Pass(100);
        sim.Add("alone");
        sim.Pass(0);
        Assert.Equal(["alone"], Assert.Single(sim.Batches).Paths);

        for (int i = 0; i < 2000; i++)
        {
            sim.Add($"burst/f{i:D4}");
            if (i % 20 == 19)
                sim.Pass(30); // long pauses: the quiet window grows to 60 ms
        }
        sim.Pass(1500); // the burst is over
        int before = sim.Batches.Count;
        sim.Add("after");
        sim.Pass(0);
        Assert.Equal(before + 1, sim.Batches.Count);
        Assert.Equal(["after"], sim.Batches[^1].Paths);

        // Changes spaced out (a log written every 100 ms) are no burst: each goes at once, not after a grown window.
        for (int i = 0; i < 20; i++)
        {
            sim.Pass(100);
            int n = sim.Batches.Count;
            sim.Add($"log{i}");
            sim.Pass(0);
            Assert.Equal(n + 1, sim.Batches.Count);
        }
    }
}
