using System.Runtime.ExceptionServices;

namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// Work the receiver hands to one thread of its own, done in the order it was handed over: the last steps of a file
/// already received and checked (<see cref="ReceiverRole"/>'s finishing: attributes, rename, close), so that the
/// receiver reads and writes the next file meanwhile. Stock's receiver does them in line (receiver.c: recv_files calls
/// finish_transfer before it reads the next index); what the generator and the sender learn of a file (settled, in
/// place) is still told only once its steps are done, and <see cref="Drain"/> waits for all of them wherever the
/// receiver reports a phase's end.
/// </summary>
/// <remarks>
/// A queue under a monitor, as <see cref="Receiving.ReceiverMessages"/>: the worker is woken only when
/// <see cref="WakeAt"/> items wait, when the receiver is about to wait for the peer (<see cref="Kick"/>), or when it
/// drains; a wake per file would be a futex call and two context switches each (RESULTS.md, session 14); and it takes
/// all that waits at once. The queue is bounded (<see cref="Capacity"/>: each item holds an open descriptor); a full
/// one makes the receiver wait. An exception of the work itself (not a file's failure: the work reports those) stops
/// the worker: the items still queued are abandoned (their temporary files removed) and the receiver's next call throws it.
/// </remarks>
internal sealed class FinishingThread<T> : IDisposable
{
    /// <summary>
    /// At most this many items wait (and as many more may be in the worker's hands); the receiver waits for the worker
    /// beyond it.
    /// </summary>
    public const int Capacity = 32;

    /// <summary>A sleeping worker is woken once this many items wait (or at a kick or a drain).</summary>
    public const int WakeAt = 8;

    private readonly Queue<T> _queue = new();
    private readonly object _gate = new();
    private readonly Action<T> _work;
    private readonly Action<T> _abandon;
    private readonly Thread _thread;
    private bool _workerWaiting;
    private bool _ownerWaiting;
    private bool _busy;
    private bool _closing;
    private ExceptionDispatchInfo? _fault;

    /// <param name="work">Done on the worker for each item, in order.</param>
    /// <param name="abandon">Done for an item that will not be worked on (the worker failed): its resources let go.</param>
    public FinishingThread(Action<T> work, Action<T> abandon)
    {
        _work = work;
        _abandon = abandon;
        _thread = new Thread(Run) { IsBackground = true, Name = "mrsync finishing" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="item"/>, waiting while the queue is full. Throws what stopped the worker.</summary>
    public void Add(T item)
    {
        lock (_gate)
        {
            while (_fault is null && _queue.Count >= Capacity)
                WaitForWorker();
            if (_fault is not null)
            {
                _abandon(item);
                _fault.Throw();
            }
            _queue.Enqueue(item);
            if (_workerWaiting && _queue.Count >= WakeAt)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>The receiver is about to wait for the peer: what is queued is done meanwhile.</summary>
    public void Kick()
    {
        lock (_gate)
        {
            if (_workerWaiting && _queue.Count > 0)
                Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until every item queued so far is done. Throws what stopped the worker.</summary>
    public void Drain()
    {
        lock (_gate)
        {
            while (_fault is null && (_queue.Count > 0 || _busy))
                WaitForWorker();
            _fault?.Throw();
        }
    }

    // Under the gate: wake the worker if it sleeps and wait for it to take or finish an item.
    private void WaitForWorker()
    {
        if (_workerWaiting)
            Monitor.PulseAll(_gate);
        _ownerWaiting = true;
        try
        {
            Monitor.Wait(_gate);
        }
        finally
        {
            _ownerWaiting = false;
        }
    }

    /// <summary>Finishes what is queued and ends the worker (a fault stays unthrown: the caller is failing already or has drained).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _closing = true;
            Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    // Takes everything queued at once and works through it with the gate free: the receiver adds while the worker
    // works, and one lock per batch rather than two per item keeps the two threads from contending for it (a futex
    // call each time they meet).
    private void Run()
    {
        var batch = new List<T>(Capacity);
        while (true)
        {
            lock (_gate)
            {
                while (_queue.Count == 0 && !_closing)
                {
                    _workerWaiting = true;
                    try
                    {
                        Monitor.Wait(_gate);
                    }
                    finally
                    {
                        _workerWaiting = false;
                    }
                }
                if (_queue.Count == 0)
                    return;
                while (_queue.Count > 0)
                    batch.Add(_queue.Dequeue());
                _busy = true;
                if (_ownerWaiting)
                    Monitor.PulseAll(_gate);
            }
            int done = 0;
            try
            {
                for (; done < batch.Count; done++)
                    _work(batch[done]);
            }
#pragma warning disable CA1031 // handed to the receiver's thread, which rethrows it
            catch (Exception e)
#pragma warning restore CA1031
            {
                lock (_gate)
                {
                    _fault = ExceptionDispatchInfo.Capture(e);
                    for (int i = done + 1; i < batch.Count; i++)
                        _abandon(batch[i]);
                    while (_queue.Count > 0)
                        _abandon(_queue.Dequeue());
                    _busy = false;
                    Monitor.PulseAll(_gate);
                }
                return;
            }
            batch.Clear();
            lock (_gate)
            {
                _busy = false;
                if (_ownerWaiting)
                    Monitor.PulseAll(_gate);
            }
        }
    }
}
