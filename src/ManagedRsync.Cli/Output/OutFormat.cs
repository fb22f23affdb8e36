using ManagedRsync.Client;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// rsync's per-entry line on stdout: --out-format's, else options.c's own ("%i %n%L" with -i, "%n%L" with -v or
/// --progress), for the entries the library reports and for deletions (log.c: log_delete, which uses the format only
/// when it has %i or %o, else "deleting %n"). The expansion is the library's <see cref="LogLine"/>.
/// </summary>
internal sealed class OutFormat
{
    private readonly LogLine _line;
    private readonly LogLine _deletions;

    public OutFormat(RsyncOptions options)
    {
        string format = options.OutFormat ?? (options.ItemizeChanges > 0 ? "%i %n%L" : "%n%L");
        // A client has no module (lp_name of no section is "") and no %h/%a/%u/%P (they stay as written).
        var context = new LogLineContext { Owners = options.Owner, Groups = options.Group };
        _line = new LogLine(format, context);
        // options.c: stdout_format_has_o_or_i.
        bool formatted = options.OutFormat is null ? options.ItemizeChanges > 0 : LogLine.FormatsDeletions(format);
        _deletions = formatted ? _line : new LogLine("deleting %n", context);
    }

    /// <summary>The line for a reported entry.</summary>
    public string Item(ItemizedChange change) => _line.Item(change);

    /// <summary>log.c: log_delete — the line for a deletion.</summary>
    public string Deletion(TransferDeletion deletion) =>
        _deletions.Deletion(deletion.Name, deletion.IsDirectory, deletion.Mode, checksumDigits: deletion.ChecksumDigits);
}
