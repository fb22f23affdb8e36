using System.Collections.Concurrent;
using System.Diagnostics;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

/// <summary>
/// The wait between pushes to a dead replica (README: "exponential backoff, 250 ms to 30 s"): it doubles from 250 ms
/// after each failure in a row, stops growing at 30 s, and starts again from 250 ms after a success. The schedule is
/// read from the queue's own waits through a clock that records them (a minutes-long schedule in milliseconds); one
/// run on the real clock shows the waits are really taken.
/// </summary>
public sealed class RetryBackoffTests
{
    [Fact]
    public async Task Waits_to_a_dead_replica_double_from_250_ms_and_stop_at_30_s()
    {
        var clock = new RecordingClock();
        var target = new ScriptedTarget(_ => false);
        using var queue = new ReplicaQueue(target, journal: null, new ReplicaQueueOptions { Time = clock }, _ => { }, startWithFullSync: true);
        await RunUntilAsync(queue, () => clock.Waits.Count >= 12);

        double[] expected = [250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000];
        Assert.Equal(expected, clock.Waits.Take(12).Select(w => w.TotalMilliseconds));
        Assert.True(target.Attempts >= 12, $"{target.Attempts} pushes for {clock.Waits.Count} waits");
        Assert.Equal(1, queue.Depth); // the full sync is still owed: nothing given up
    }

    [Fact]
    public async Task A_success_starts_the_schedule_again()
    {
        var clock = new RecordingClock();
        // Attempts 1-4 fail, 5 succeeds, then a new change fails three times.
        var target = new ScriptedTarget(attempt => attempt == 5);
        using var queue = new ReplicaQueue(target, journal: null, new ReplicaQueueOptions { Time = clock }, _ => { }, startWithFullSync: true);
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => queue.RunAsync(stop.Token));
        await WaitForAsync(() => target.Attempts >= 5 && queue.Depth == 0, run);
        queue.Enqueue(false, [new(RawPath.FromText("f"), PendingOp.Send)]);
        await WaitForAsync(() => clock.Waits.Count >= 7, run);
        await StopAsync(stop, run);

        Assert.Equal([250, 500, 1000, 2000, 250, 500, 1000], clock.Waits.Take(7).Select(w => w.TotalMilliseconds));
    }

    [Theory]
    [InlineData(0, 250)]
    [InlineData(1, 250)]
    [InlineData(7, 16000)]
    [InlineData(8, 30000)]
    [InlineData(1000, 30000)]
    [InlineData(int.MaxValue, 30000)]
    public void The_default_policy(int failures, double milliseconds) =>
        Assert.Equal(milliseconds, new ReplicaQueueOptions().BackoffAfter(failures).TotalMilliseconds);

    [Fact]
    public async Task On_the_real_clock_each_retry_waits_at_least_its_backoff()
    {
        var options = new ReplicaQueueOptions { InitialBackoff = TimeSpan.FromMilliseconds(100), MaxBackoff = TimeSpan.FromMilliseconds(400) };
        var target = new ScriptedTarget(_ => false);
        using var queue = new ReplicaQueue(target, journal: null, options, _ => { }, startWithFullSync: true);
        await RunUntilAsync(queue, () => target.Attempts >= 8);

        TimeSpan[] at = [.. target.AttemptTimes];
        // Only lower bounds: a loaded machine may wake a timer late. .NET's timers count whole milliseconds of a coarse
        // tick (Environment.TickCount64), so one can fire a few milliseconds early: 15 ms allowed, far below every
        // step. Attempt k+1 follows the k-th failure's wait: 100, 200, 400, 400, ... ms.
        for (int k = 1; k < 8; k++)
        {
            TimeSpan gap = at[k] - at[k - 1];
            TimeSpan wait = options.BackoffAfter(k);
            Assert.True(gap >= wait - TimeSpan.FromMilliseconds(15), $"attempt {k + 1} came {gap.TotalMilliseconds:0} ms after attempt {k}, before its {wait.TotalMilliseconds} ms backoff");
        }
    }

    private static async Task RunUntilAsync(ReplicaQueue queue, Func<bool> done)
    {
        using var stop = new CancellationTokenSource();
        Task run = Task.Run(() => queue.RunAsync(stop.Token));
        await WaitForAsync(done, run);
        await StopAsync(stop, run);
    }

    // The loop ends by returning or by the cancellation's exception, depending on where the stop finds it.
    private static async Task StopAsync(CancellationTokenSource stop, Task run)
    {
        await stop.CancelAsync();
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task WaitForAsync(Func<bool> done, Task run)
    {
        var deadline = Stopwatch.StartNew();
        while (!done())
        {
            Assert.False(run.IsCompleted, $"the push loop ended: {run.Exception}");
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the condition was not reached in 60 s");
            await Task.Delay(10);
        }
    }

    /// <summary>A replica whose push number N (from 1) succeeds when <paramref name="succeeds"/> says so.</summary>
    private sealed class ScriptedTarget(Func<int, bool> succeeds) : IReplicaTarget
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private int _attempts;

        public string Name => "scripted";
        public int Attempts => Volatile.Read(ref _attempts);
        public ConcurrentQueue<TimeSpan> AttemptTimes { get; } = new();

        public Task<SyncResult> SyncAsync(ChangeBatch batch, CancellationToken cancellationToken)
        {
            AttemptTimes.Enqueue(_clock.Elapsed);
            int n = Interlocked.Increment(ref _attempts);
            return succeeds(n) ? Task.FromResult(new SyncResult(0, 0))
                : Task.FromException<SyncResult>(new RsyncException(RsyncErrorKind.Connection, "connection refused (test replica dead)"));
        }
    }

    /// <summary>A clock whose timers record their due time and fire at once (on the thread pool).</summary>
    private sealed class RecordingClock : TimeProvider
    {
        private readonly List<TimeSpan> _waits = [];

        public IReadOnlyList<TimeSpan> Waits
        {
            get
            {
                lock (_waits)
                    return [.. _waits];
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            lock (_waits)
                _waits.Add(dueTime);
            var timer = new FiredTimer();
            ThreadPool.QueueUserWorkItem(_ => callback(state));
            return timer;
        }

        private sealed class FiredTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;
            public void Dispose()
            {
            }
            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
