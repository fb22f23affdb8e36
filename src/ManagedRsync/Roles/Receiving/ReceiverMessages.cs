namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The receiver's messages to the generator, in order (stock: the pipe from the receiver process to the generator,
/// receiver.c: send_msg_int(MSG_REDO, ndx) when a file fails its whole-file check, MSG_DONE at the end of each
/// phase, and a finished hard-linked file handed to the generator's hlink list (hlink.c: finish_hard_link runs in the
/// generator); generator.c: generate_files waits for them between phases). The generator blocks on
/// <see cref="Next"/>; a failed run cancels the wait.
/// </summary>
internal sealed class ReceiverMessages
{
    // A queue under a monitor rather than a BlockingCollection: its SemaphoreSlim spins (sched_yield, some twenty
    // times) before it blocks, and the generator waits once per file the receiver settles; a 100,000-file incremental
    // pull made 240,000 sched_yield calls, most of its system time on a loaded machine (RESULTS.md, session 13).
    // Monitor.Wait blocks at once; the receiver wakes it only when it waits.
    //
    // A generator waiting only for a part's last files (FileSettled) is woken once enough of them have come to possibly
    // end it, not by each one: a 10,000-file push woke it some 200-600 times, each a futex wake and two context
    // switches (RESULTS.md, session 14). Any other message wakes it at once.
    private readonly Queue<ReceiverMessage> _queue = new();
    private readonly object _gate = new();
    private bool _waiting;
    private int _settledQueued;
    private int _othersQueued;
    private int _settledWanted = 1;

    /// <summary>How long a wait lasts before it looks at its cancellation token again.</summary>
    private const int CancellationPollMilliseconds = 100;

    /// <summary>MSG_REDO: the file failed its whole-file check; ask again with full-length sums.</summary>
    public void Redo(int ndx) => Add(new ReceiverMessage(ReceiverMessageKind.Redo, ndx));

    /// <summary>A file of a hard-link group is in place: the generator links the rest of its group to it.</summary>
    public void HardLinkDone(int ndx) => Add(new ReceiverMessage(ReceiverMessageKind.HardLinkDone, ndx));

    /// <summary>MSG_DONE: the receiver reached the sender's end of a phase.</summary>
    public void EndOfPhase() => Add(new ReceiverMessage(ReceiverMessageKind.PhaseDone, -1));

    /// <summary>The receiver has read the sender's last index (the end-of-run exchange is complete).</summary>
    public void EndOfRun() => Add(new ReceiverMessage(ReceiverMessageKind.Finished, -1));

    /// <summary>
    /// Incremental recursion: a part of the file list arrived (stock forwards its bytes to the generator, io.c:
    /// start_flist_forward; here the part is already in the shared list).
    /// </summary>
    public void NewList() => Add(new ReceiverMessage(ReceiverMessageKind.NewList, -1));

    /// <summary>Incremental recursion: NDX_FLIST_EOF arrived (rsync.c: the receiver passes it on to the generator).</summary>
    public void ListsComplete() => Add(new ReceiverMessage(ReceiverMessageKind.ListsComplete, -1));

    /// <summary>
    /// Incremental recursion: a requested file is settled (received, failed, or not sent), so its part may be done
    /// (stock's generator counts these as flist->in_progress, io.c: MSG_SUCCESS / MSG_NO_SEND handling).
    /// </summary>
    public void FileSettled(int ndx) => Add(new ReceiverMessage(ReceiverMessageKind.FileSettled, ndx));

    /// <summary>MSG_SUCCESS: the file is in place; the generator tells the sender (--remove-source-files).</summary>
    public void Received(int ndx) => Add(new ReceiverMessage(ReceiverMessageKind.Received, ndx));

    /// <summary>
    /// The next message, waiting for it (without spinning) until it comes or <paramref name="ct"/> is cancelled. While
    /// only <see cref="ReceiverMessageKind.FileSettled"/> messages are queued, the wait goes on until
    /// <paramref name="settledWanted"/> of them are (the caller's bound below which they cannot matter to it).
    /// </summary>
    public ReceiverMessage Next(CancellationToken ct, int settledWanted = 1)
    {
        settledWanted = Math.Max(1, settledWanted);
        lock (_gate)
        {
            while (_othersQueued == 0 && _settledQueued < settledWanted)
            {
                ct.ThrowIfCancellationRequested();
                _waiting = true;
                _settledWanted = settledWanted;
                try
                {
                    Monitor.Wait(_gate, CancellationPollMilliseconds);
                }
                finally
                {
                    _waiting = false;
                }
            }
            return Take();
        }
    }

    /// <summary>The next message if one is waiting.</summary>
    public bool TryNext(out ReceiverMessage message)
    {
        lock (_gate)
        {
            if (_queue.Count == 0)
            {
                message = default;
                return false;
            }
            message = Take();
            return true;
        }
    }

    private ReceiverMessage Take()
    {
        ReceiverMessage message = _queue.Dequeue();
        if (message.Kind == ReceiverMessageKind.FileSettled)
            _settledQueued--;
        else
            _othersQueued--;
        return message;
    }

    private void Add(ReceiverMessage message)
    {
        lock (_gate)
        {
            _queue.Enqueue(message);
            bool settled = message.Kind == ReceiverMessageKind.FileSettled;
            if (settled)
                _settledQueued++;
            else
                _othersQueued++;
            if (_waiting && (!settled || _settledQueued >= _settledWanted))
                Monitor.Pulse(_gate);
        }
    }
}

internal enum ReceiverMessageKind
{
    Redo,
    HardLinkDone,
    PhaseDone,
    Finished,
    NewList,
    ListsComplete,
    FileSettled,
    Received,
}

internal readonly record struct ReceiverMessage(ReceiverMessageKind Kind, int Ndx);
