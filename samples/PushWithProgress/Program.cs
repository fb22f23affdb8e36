// Pushes a directory to an rsync daemon module and prints the progress of each file as the library reports it.
//
//   dotnet run -- SRC/ rsync://[USER@]HOST[:PORT]/MODULE/[PATH]     (RSYNC_PASSWORD for a module with auth)
//
// The same as `rsync -a --delete SRC/ DEST`, without rsync's output: what is printed here is the sample's own.
using ManagedRsync;
using ManagedRsync.Client;
using ManagedRsync.Daemon;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: PushWithProgress SRC/ rsync://[USER@]HOST[:PORT]/MODULE/[PATH]");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var request = new PushRequest
{
    Sources = [args[0]],
    Destination = DaemonAddress.Parse(args[1]),
    // Called only when the daemon asks: --password-file, else RSYNC_PASSWORD, as rsync takes it (no prompt here).
    Password = () => DaemonPassword.Resolve(passwordFile: null, Console.In, Environment.GetEnvironmentVariable, prompt: null),
    // -a --delete, and progress events (rsync's --progress).
    Options = TransferOptions.Archive with { Delete = DeleteTiming.Default, Progress = true },
};

try
{
    TransferResult result = await RsyncClient.PushAsync(request, new PrintProgress(), cancel.Token);
    TransferStats stats = result.Stats;
    Console.WriteLine($"done: {stats.TransferredFiles} of {stats.NumFiles} files sent, {stats.TotalBytesSent:N0} bytes " +
                      $"on the wire for {stats.TotalSize:N0} bytes of files (protocol {result.ProtocolVersion}, {result.Checksum ?? "md4/md5"}, {result.Compression})");
    // Some files failed or vanished: results, not exceptions (rsync exits 23 and 24 for them).
    return result.Outcome switch
    {
        TransferOutcome.Complete => 0,
        TransferOutcome.VanishedFiles => 24,
        _ => 23,
    };
}
catch (RsyncException e)
{
    Console.Error.WriteLine($"push failed ({e.Kind}): {e.RemoteMessage ?? e.Message}");
    return 1;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}

/// <summary>
/// One line per file when it completes, and the daemon's errors. The library raises events on the transfer's thread, in
/// order; it prints nothing itself.
/// </summary>
internal sealed class PrintProgress : ITransferEvents
{
    public void OnProgress(TransferProgress p)
    {
        // EndOfList: the totals at an end-of-list index, no file's.
        if (!p.EndOfList && p.BytesDone == p.FileSize)
            Console.WriteLine($"[{p.FileNumber + 1}/{p.FilesTotal}] {p.Name} {p.FileSize:N0} bytes");
    }

    public void OnMessage(TransferMessage message)
    {
        if (message.Kind == TransferMessageKind.Error)
            Console.Error.WriteLine(message.Text);
    }
}
