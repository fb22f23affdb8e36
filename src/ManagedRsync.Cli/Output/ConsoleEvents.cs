using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// The library's transfer events printed as rsync prints them: informational lines on stdout (none under -q: log.c
/// rwrite drops FINFO when quiet), errors on stderr, the daemon's greeting lines (MOTD, module list) on stdout unless
/// --no-motd or -q (clientserver.c: output_motd), and --progress lines (<see cref="ProgressPrinter"/>).
/// </summary>
internal sealed class ConsoleEvents(TextWriter output, TextWriter error, RsyncOptions options) : ITransferEvents
{
    private readonly ProgressPrinter? _progress =
        options.Progress && !options.Quiet ? new ProgressPrinter(output, HumanNumbers.For(options)) : null;

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
            output.WriteLine(DeletionLine(deletion, options.ItemizeChanges > 0));
    }

    /// <summary>rsync log.c: log_delete — "deleting %n", with -i "*deleting   %n"; a directory's %n ends in '/'.</summary>
    public static string DeletionLine(TransferDeletion deletion, bool itemized) =>
        (itemized ? "*deleting   " : "deleting ") + deletion.Name + (deletion.IsDirectory ? "/" : "");
}
