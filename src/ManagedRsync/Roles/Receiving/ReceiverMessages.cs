using System.Collections.Concurrent;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The receiver's messages to the generator, in order (stock: the pipe from the receiver process to the generator,
/// receiver.c: send_msg_int(MSG_REDO, ndx) when a file fails its whole-file check, MSG_DONE at the end of each
/// phase; generator.c: generate_files waits for them between phases). The generator blocks on <see cref="Next"/>;
/// a failed run cancels the wait.
/// </summary>
internal sealed class ReceiverMessages
{
    /// <summary>The receiver reached the sender's end of a phase (MSG_DONE).</summary>
    public const int PhaseDone = -1;

    /// <summary>The receiver has read the sender's last index (the end-of-run exchange is complete).</summary>
    public const int Finished = -2;

    private readonly BlockingCollection<int> _queue = new();

    /// <summary>MSG_REDO: the file failed its whole-file check; ask again with full-length sums.</summary>
    public void Redo(int ndx) => _queue.Add(ndx);

    public void EndOfPhase() => _queue.Add(PhaseDone);

    public void EndOfRun() => _queue.Add(Finished);

    /// <summary>The next message: an ndx to redo, <see cref="PhaseDone"/> or <see cref="Finished"/>.</summary>
    public int Next(CancellationToken ct) => _queue.Take(ct);
}
