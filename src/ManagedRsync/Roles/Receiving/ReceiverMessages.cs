using System.Collections.Concurrent;

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
    private readonly BlockingCollection<ReceiverMessage> _queue = new();

    /// <summary>MSG_REDO: the file failed its whole-file check; ask again with full-length sums.</summary>
    public void Redo(int ndx) => _queue.Add(new ReceiverMessage(ReceiverMessageKind.Redo, ndx));

    /// <summary>A file of a hard-link group is in place: the generator links the rest of its group to it.</summary>
    public void HardLinkDone(int ndx) => _queue.Add(new ReceiverMessage(ReceiverMessageKind.HardLinkDone, ndx));

    /// <summary>MSG_DONE: the receiver reached the sender's end of a phase.</summary>
    public void EndOfPhase() => _queue.Add(new ReceiverMessage(ReceiverMessageKind.PhaseDone, -1));

    /// <summary>The receiver has read the sender's last index (the end-of-run exchange is complete).</summary>
    public void EndOfRun() => _queue.Add(new ReceiverMessage(ReceiverMessageKind.Finished, -1));

    public ReceiverMessage Next(CancellationToken ct) => _queue.Take(ct);
}

internal enum ReceiverMessageKind
{
    Redo,
    HardLinkDone,
    PhaseDone,
    Finished,
}

internal readonly record struct ReceiverMessage(ReceiverMessageKind Kind, int Ndx);
