using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// The library's transfer events printed as rsync prints them: entries and deletions (OutFormat), informational lines on stdout (none under -q: log.c
/// rwrite drops FINFO when quiet), errors on stderr, the daemon's greeting lines (MOTD, module list) on stdout unless
/// --no-motd or -q (clientserver.c: output_motd), and --progress lines (<see cref="ProgressPrinter"/>).
/// </summary>
internal sealed class ConsoleEvents(TextWriter output, TextWriter error, RsyncOptions options) : ITransferEvents
{
    private readonly OutFormat _lines = new(options);
    private readonly ProgressPrinter? _progress =
        options.Info.Gte(InfoFlag.Progress, 1) && !options.Quiet ? new ProgressPrinter(output, options.Numbers) : null;

    public void OnMessage(TransferMessage message)
    {
        switch (message.Kind)
        {
            case TransferMessageKind.Error:
                error.WriteLine(message.Text);
                break;
            case TransferMessageKind.ServerLine when options.Motd && !options.Quiet:
            case TransferMessageKind.Info when !options.Quiet:
                output.WriteLine(message.Text);
                break;
        }
    }

    public void OnProgress(TransferProgress progress) => _progress?.Report(progress);

    public void OnDeleted(TransferDeletion deletion)
    {
        if (!options.Quiet)
            output.WriteLine(_lines.Deletion(deletion));
    }

    public void OnItem(ItemizedChange change)
    {
        if (!options.Quiet)
            output.WriteLine(_lines.Item(change));
    }

    // rsync generator.c: list_file_entry prints with rprintf(FINFO), which -q silences too.
    public void OnListed(ListingEntry entry)
    {
        if (!options.Quiet)
            output.WriteLine(ItemLine.Listing(entry));
    }
}
