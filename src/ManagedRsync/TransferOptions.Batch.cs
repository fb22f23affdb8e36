namespace ManagedRsync;

public sealed partial record TransferOptions
{
    /// <summary>
    /// --write-batch=FILE on a client: FILE records the data stream the receiving side reads (rsync batch.c), FILE.sh
    /// gets <see cref="BatchScript"/>. Both names negotiate md5 and zlib, as stock's client does when it writes a batch
    /// (compat.c: getenv_nstr), so that a replay without negotiation decodes the same stream.
    /// </summary>
    public string? WriteBatch { get; init; }

    /// <summary>
    /// The text of FILE.sh for the negotiated protocol (batch.c: write_batch_shell_file: it names --filter='._-' from
    /// protocol 29, --exclude-from=- before); null writes an empty script.
    /// </summary>
    public Func<int, string>? BatchScript { get; init; }

    /// <summary>
    /// --only-write-batch=FILE (<see cref="WriteBatch"/> names it): a dry run whose data still moves (main.c: dry_run = 1
    /// after options.c settled do_xfers), into the batch only: a sending client writes each file's data to FILE
    /// instead of the connection (sender.c: f_xfer), a receiving client reads it past after copying it, and the
    /// receiving side changes nothing (receiver.c: write_batch &lt; 0). Set with <see cref="DryRun"/>.
    /// </summary>
    public bool OnlyWriteBatch { get; init; }

    /// <summary>
    /// -r was given itself, not through -a (options.c: recurse is 2, not 1): --read-batch's check_batch_flags compares
    /// the value with the batch's bit, so stock then always says it is "Setting the --recurse (-r) option".
    /// </summary>
    public bool RecurseGiven { get; init; }

    /// <summary>rsync's do_xfers: file data is asked for and sent (not in a dry run, but with --only-write-batch).</summary>
    internal bool Transfers => !DryRun || OnlyWriteBatch;

    /// <summary>
    /// --read-batch=FILE: the run replays FILE into the destination instead of reaching a sender (rsync main.c:
    /// start_client with read_batch); set by <see cref="Client.RsyncClient.ReadBatchAsync"/>.
    /// </summary>
    public string? ReadBatch { get; init; }
}
