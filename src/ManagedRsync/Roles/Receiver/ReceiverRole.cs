using ManagedRsync.Delta.Tokens;
using ManagedRsync.Checksums;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The receiver (rsync receiver.c: recv_files): reads the sender's answers to the generator's requests phase by phase
/// and rebuilds each file (<c>ReceiverRole.ReceiveData.cs</c>); tells the generator which files to redo and where each
/// phase ends (<see cref="ReceiverMessages"/>); and reads the end of the run (main.c: handle_stats, read_final_goodbye).
/// It only reads the connection; the generator does all the writing.
/// </summary>
// The order of the end-of-phase indexes, as a stock 3.5.0 sender answers the generator
// (GeneratorRole.Phases.cs has the generator's side):
//   sender -> receiver:   files, DONE | redo files, DONE (29+), DONE | stats | DONE (31+)
internal sealed partial class ReceiverRole(ReceiveRun run)
{
    private TokenDecoder? _decoder;
    private FileChecksum? _fileSum;
    private TempFileWriter? _writer;

    /// <summary>Files already asked for again (incremental recursion redoes them in the first phase).</summary>
    private readonly HashSet<int> _redone = [];

    /// <summary>The sender's totals, read by a client receiver (main.c: handle_stats); null on a server.</summary>
    public long[]? SenderStats { get; private set; }

    private int Protocol => run.Protocol;

    // TransferOptions.LogsAfterTransfer works the formats out again at each call; asked twice per file.
    private readonly bool _logsAfterTransfer = run.Options.LogsAfterTransfer;

    /// <summary>Runs on its own thread (see <see cref="ReceivingSide"/>) until the sender's last index.</summary>
    public void Run(CancellationToken ct)
    {
        // This thread is the input's only reader until the run ends, and would block on every read that waits: it
        // waits on the pump itself (MultiplexReader.BlockingConsumer), not through a thread-pool continuation.
        run.Connection.In.BlockingConsumer = true;
        try
        {
            Receive(ct);
        }
        finally
        {
            run.Connection.In.BlockingConsumer = false;
            // Files handed to the finishing thread were received and checked: they are finished (stock's receiver
            // would have) before the run's failure, if any, is reported and the destination left alone.
            if (_finishing is not null)
            {
                _finishing.Dispose();
                run.Connection.In.BeforeWait = null;
            }
        }
    }

    private void Receive(CancellationToken ct)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        // Phase 1, whose failures the generator asks for again; then the redo phase and the closing phases. What
        // the generator does at a phase's end (directory times, deletions after the transfer) comes after every file
        // of the phase is in place.
        ReceivePhase(firstPass: true, ct);
        DrainFinishing();
        run.ToGenerator.EndOfPhase();
        for (int phase = 2; phase <= run.MaxPhase + 1; phase++)
        {
            ReceivePhase(firstPass: false, ct);
            DrainFinishing();
            // receiver.c: recv_files — entering phase 2 (after the redo phase) the delayed updates are done.
            if (phase == 2)
                HandleDelayedUpdates();
            run.ToGenerator.EndOfPhase();
        }
        foreach (int ndx in run.Pending.Keys)
            run.ReportFailure($"ERROR: {FileNameEncoding.Display(run.NameOf(ndx))} failed verification -- update discarded.");

        // rsync main.c: handle_stats — a server sender reports its totals to a client receiver; a client sender keeps
        // its own, so a server receiver reads none.
        if (!run.IsServer)
            SenderStats = ReadSenderStats(ct);
        // rsync main.c: do_recv — handle_stats after recv_files prints --info=stats3's block. A server sender's block
        // comes ahead of its totals, and stock's client prints it before its receiver's, so ours waits for them (a
        // server's waits for the generator to send it, as stock's goes through the generator).
        HeapStatistics.Report(run.Log, run.Options, run.IsServer, "receiver", GC.GetAllocatedBytesForCurrentThread() - allocated);
        if (Protocol >= 31)
        {
            // rsync main.c: read_final_goodbye — the NDX_DONE a sender echoes once it has our deletion counts.
            int last = Wait(NdxAndAttrs.ReadIndexAsync(run.Connection, run.Files.Count, deleteStats: null, ct));
            if (last != Ndx.Done)
                throw RsyncException.Protocol($"Invalid packet at end of run ({last})");
        }
        run.ToGenerator.EndOfRun();
    }

    // rsync main.c: handle_stats for a receiving client — varlong30(3) each: total_read, total_written, total_size,
    // and from protocol 29 the file-list build and transfer times.
    private long[] ReadSenderStats(CancellationToken ct)
    {
        MultiplexReader input = run.Connection.In;
        var stats = new long[5];
        int count = Protocol >= 29 ? 5 : 3;
        for (int i = 0; i < count; i++)
            stats[i] = Wait(input.ReadVarLong30Async(3, Protocol, ct));
        return stats;
    }
}
