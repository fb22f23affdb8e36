using System.Collections.Concurrent;
using ManagedRsync.Protocol;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// A --read-batch run's generator-to-receiver channel (rsync main.c: batch_gen_fd, the pipe the generator writes to
/// instead of a sender; receiver.c: gen_wants_ndx, we_want_redo). The batch holds the files the original run's
/// generator asked for; the replay's generator asks for what the destination needs now, in file-list order (an index
/// per file, an NDX_DONE per finished list), and the receiver takes from the batch only what was asked: a batched
/// update nobody asked for is skipped ("Skipping batched update for"), an asked-for file the batch lacks is an error
/// ("No batched update for", exit 23).
/// </summary>
internal sealed class BatchWants(bool incremental)
{
    private readonly BlockingCollection<int> _fromGenerator = new();
    private readonly Queue<int> _redo = new();
    private int _next = -1;
    private int _doneCount;
    private bool _eof;
    private int _redoNext = -1;

    /// <summary>The generator asks for <paramref name="ndx"/> (write_ndx to the pipe, a plain int in a batch run).</summary>
    public void Want(int ndx) => _fromGenerator.Add(ndx);

    /// <summary>The generator ended a list (its NDX_DONE).</summary>
    public void Done() => _fromGenerator.Add(Ndx.Done);

    /// <summary>
    /// rsync receiver.c: gen_wants_ndx — whether the generator asked for <paramref name="desired"/>, of list number
    /// <paramref name="listNumber"/> (1 for the first with incremental recursion); every index it asked for before
    /// goes to <paramref name="missing"/>.
    /// </summary>
    public bool Wants(int desired, int listNumber, Action<int> missing, CancellationToken ct)
    {
        if (_eof)
            return false;
        while (_next < desired)
        {
            if (incremental && listNumber <= _doneCount)
                return false;
            if (_next >= 0)
                missing(_next);
            _next = _fromGenerator.Take(ct);
            if (_next < 0)
            {
                if (incremental)
                {
                    _doneCount++;
                    continue;
                }
                _eof = true;
                return false;
            }
        }
        if (_next == desired)
        {
            _next = -1;
            return true;
        }
        return false;
    }

    /// <summary>receiver.c: a file that failed its check in a batch run may come again in the redo phase (batch_redo_list).</summary>
    public void RedoLater(int ndx) => _redo.Enqueue(ndx);

    /// <summary>receiver.c: we_want_redo — as <see cref="Wants"/> for the redo phase, from the files that failed.</summary>
    public bool WantsRedo(int desired, Action<int> missing)
    {
        while (_redoNext < desired)
        {
            if (_redoNext >= 0)
                missing(_redoNext);
            if (!_redo.TryDequeue(out _redoNext))
            {
                _redoNext = -1;
                return false;
            }
        }
        if (_redoNext == desired)
        {
            _redoNext = -1;
            return true;
        }
        return false;
    }
}
