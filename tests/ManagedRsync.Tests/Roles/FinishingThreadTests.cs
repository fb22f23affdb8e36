using ManagedRsync.Roles.Receiver;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// The receiver's finishing thread (<see cref="FinishingThread{T}"/>): work done in the order handed over, a drain that
/// waits for all of it, a bounded queue, and a failure of the work that abandons what is still queued and is thrown on
/// the receiver's thread.
/// </summary>
public sealed class FinishingThreadTests
{
    [Fact]
    public void Work_is_done_in_order_and_a_drain_waits_for_all_of_it()
    {
        var done = new List<int>();
        using var thread = new FinishingThread<int>(i =>
        {
            Thread.Sleep(i % 7 == 0 ? 2 : 0);
            lock (done)
                done.Add(i);
        }, _ => throw new InvalidOperationException("nothing is abandoned"));
        // Fewer than WakeAt wait without a wake; the drain wakes the worker.
        for (int i = 0; i < FinishingThread<int>.WakeAt - 1; i++)
            thread.Add(i);
        thread.Drain();
        Assert.Equal(Enumerable.Range(0, FinishingThread<int>.WakeAt - 1), done);
        // More than the queue holds: the adds wait for the worker.
        for (int i = FinishingThread<int>.WakeAt - 1; i < 3 * FinishingThread<int>.Capacity; i++)
            thread.Add(i);
        thread.Drain();
        Assert.Equal(Enumerable.Range(0, 3 * FinishingThread<int>.Capacity), done);
    }

    [Fact]
    public void A_kick_has_what_is_queued_done_without_a_drain()
    {
        using var finished = new CountdownEvent(3);
        using var thread = new FinishingThread<int>(_ => finished.Signal(), _ => { });
        thread.Add(1);
        thread.Add(2);
        thread.Add(3);
        thread.Kick();
        Assert.True(finished.Wait(TimeSpan.FromSeconds(10)), "the kicked worker did the queued items");
    }

    [Fact]
    public void Dispose_finishes_what_is_queued()
    {
        var done = new List<int>();
        using (var thread = new FinishingThread<int>(i => done.Add(i), _ => { }))
        {
            thread.Add(1);
            thread.Add(2);
        }
        Assert.Equal([1, 2], done);
    }

    [Fact]
    public void A_failure_of_the_work_abandons_the_rest_and_is_thrown_to_the_owner()
    {
        using var release = new ManualResetEventSlim();
        var abandoned = new List<int>();
        var thread = new FinishingThread<int>(i =>
        {
            if (i == 0)
                release.Wait();
            if (i == 1)
                throw new IOException("disk on fire");
        }, i =>
        {
            lock (abandoned)
                abandoned.Add(i);
        });
        for (int i = 0; i < 5; i++)
            thread.Add(i);
        release.Set();
        IOException e = Assert.Throws<IOException>(thread.Drain);
        Assert.Equal("disk on fire", e.Message);
        Assert.Equal([2, 3, 4], abandoned);
        // An item handed over after the failure is abandoned at once, and the failure thrown again.
        Assert.Throws<IOException>(() => thread.Add(9));
        Assert.Equal([2, 3, 4, 9], abandoned);
        thread.Dispose();
    }
}
