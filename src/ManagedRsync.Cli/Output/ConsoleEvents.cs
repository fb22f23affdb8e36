using ManagedRsync.Cli.Commands;
using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// The library's transfer events printed as rsync prints them: entries and deletions (OutFormat), informational lines on stdout (none under -q: log.c
/// rwrite drops FINFO when quiet), errors on stderr, the daemon's greeting lines (MOTD, module list) on stdout unless
/// --no-motd or -q (clientserver.c: output_motd), and --progress lines (<see cref="ProgressPrinter"/>). With --log-file
/// the lines stock logs go to <paramref name="log"/> too (<see cref="ClientLog"/>; errors through the context's error
/// writer, which copies them there).
/// </summary>
internal sealed class ConsoleEvents(TextWriter output, TextWriter error, RsyncOptions options, ClientLog? log = null,
    OwedNewline? newline = null) : ITransferEvents
{
    private readonly OutFormat _lines = new(options);
    // log.c: log_delete — the library also reports the deletions only a --log-file gets.
    private readonly bool _printsDeletions = options.ToTransferOptions().LogsDeletions;
    private readonly ProgressPrinter? _progress =
        options.Info.Gte(InfoFlag.Progress, 1) && !options.Quiet
            ? new ProgressPrinter(output, options.Numbers, wholeTransfer: options.Info.Gte(InfoFlag.Progress, 2), owed: newline) : null;

    // The start of a line already printed (TransferMessageKind.ClientStart), whose whole line comes later.
    private string? _started;

    public void OnMessage(TransferMessage message)
    {
        switch (message.Kind)
        {
            case TransferMessageKind.ClientStart:
                // log.c: output_needs_newline — the next message on either stream starts on a new line.
                if (options.Quiet || newline is null)
                    return;
                output.Write(message.Text);
                output.Flush();
                newline.Owed = true;
                _started = message.Text;
                return;
            case TransferMessageKind.Client when _started is { } started && message.Text.StartsWith(started, StringComparison.Ordinal):
                _started = null;
                if (options.Quiet)
                    return;
                // flist.c: finish_filelist_progress clears output_needs_newline: the rest goes on the same line, or on the
                // next one if a message came in between (it paid the newline).
                newline!.Owed = false;
                output.WriteLine(message.Text[started.Length..]);
                return;
            case TransferMessageKind.Error:
                error.WriteLine(message.Text);
                return;
            case TransferMessageKind.LogFile:
                log?.Message(message.Text);
                return;
            case TransferMessageKind.ServerLine when !options.Motd:
                return;
            case TransferMessageKind.ServerLine or TransferMessageKind.Info:
                // log.c: rwrite logs a FINFO line before -q can drop it.
                log?.Message(message.Text);
                break;
        }
        if (!options.Quiet)
            output.WriteLine(message.Text);
    }

    public void OnProgress(TransferProgress progress) => _progress?.Report(progress);

    public void OnDeleted(TransferDeletion deletion)
    {
        if (!options.Quiet && _printsDeletions)
            output.WriteLine(_lines.Deletion(deletion));
        log?.Deletion(deletion);
    }

    public void OnItem(ItemizedChange change)
    {
        if (!options.Quiet && change.Printed)
            output.WriteLine(_lines.Item(change));
        log?.Item(change);
    }

    // rsync generator.c: list_file_entry prints with rprintf(FINFO), which -q silences too.
    public void OnListed(ListingEntry entry)
    {
        string line = ItemLine.Listing(entry);
        log?.Message(line);
        if (!options.Quiet)
            output.WriteLine(line);
    }
}
