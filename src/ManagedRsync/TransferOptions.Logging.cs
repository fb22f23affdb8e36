namespace ManagedRsync;

// The client's per-entry output format, and what follows from it (rsync options.c: parse_arguments, where
// stdout_format, stdout_format_has_i and stdout_format_has_o_or_i are settled): which entries are reported, and what
// a receiving server is told (server_options: --log-format).
public sealed partial record TransferOptions
{
    /// <summary>
    /// --out-format=FORMAT (also spelled --log-format): the line for each reported entry, with rsync's % escapes
    /// (<see cref="LogFormat"/>); null for rsync's own, "%i %n%L" with -i and "%n%L" with -v or --progress. Setting it
    /// reports entries as -v does; without %i in it, -i itemizes nothing.
    /// </summary>
    public string? OutFormat { get; init; }

    /// <summary>
    /// --info=FLAGS as given (<see cref="InfoLevels.Apply"/>): the flags named there keep their level whatever -v,
    /// --stats and --progress imply (<see cref="Info"/>); a client tells the server those the server uses.
    /// </summary>
    public InfoLevels InfoGiven { get; init; }

    /// <summary>
    /// --debug=del level as given (0-3, 0 without): the lines generator.c and delete.c print for deletions
    /// (delete_in_dir, delete_item, delete_dir_contents; "deleting in" for the before/after passes). Never sent to the
    /// server (options.c: server_options sends no --debug): a pull's or a local copy's own generator prints them.
    /// </summary>
    public int DebugDel { get; init; }

    /// <summary>The --info levels in force (<see cref="InfoLevels.Effective"/>).</summary>
    // options.c: the info levels in force after parse_arguments — the user's --info over what -v, --stats and
    // --progress imply (log_before_transfer: -i or a format without %b/%c/%C).
    public InfoLevels Info =>
        InfoLevels.Effective(InfoGiven, Verbose, Stats, Progress, logBeforeTransfer: LogBeforeTransfer(OutFormat, ItemizeChanges))
            .LimitedTo(InfoLimit);

    /// <summary>
    /// A daemon module's "max verbosity" (default 1): the --info levels a connection's server side uses are capped at
    /// what that many -v give (clientserver.c: rsync_module, limit_output_verbosity); null caps nothing.
    /// </summary>
    public int? InfoLimit { get; init; }

    /// <summary>rsync's am_daemon on a server: the roles serve a daemon module (their --info=stats3 header says so).</summary>
    public bool DaemonServer { get; init; }

    /// <summary>options.c: log_before_transfer — -i, or an --out-format without %b, %c or %C.</summary>
    public static bool LogBeforeTransfer(string? outFormat, int itemizeChanges) =>
        outFormat is not null ? !LogFormat.HasTransferFigures(outFormat) : itemizeChanges > 0;

    // A format shows a transfer's byte counts or checksum: the entry's report waits for the end of its data (log.c:
    // log_item after match_sums / receive_data).
    internal bool LogsAfterTransfer => LogFormat.HasTransferFigures(StdoutFormat) || LogFormat.HasTransferFigures(LogFileFormat);

    // options.c: stdout_format — the explicit one, else "%i %n%L" for -i, else "%n%L" when INFO_GTE(NAME, 1) (-v, or
    // --progress, which adds info name when no format logs after the transfer).
    internal string? StdoutFormat =>
        OutFormat ?? (ItemizeChanges > 0 ? "%i %n%L" : Info.Gte(InfoFlag.Name, 1) ? "%n%L" : null);

    // options.c: stdout_format_has_i — with an explicit format only a %i in it itemizes (itemize_changes | 1).
    internal int StdoutFormatHasI =>
        OutFormat is { } format ? (LogFormat.Has(format, 'i') ? ItemizeChanges | 1 : 0) : ItemizeChanges;

    // INFO_GTE(NAME, 1): -v, or --progress when no format was set before it (options.c: with do_progress, "name" is
    // added unless log_before_transfer, which -i and --out-format without %b/%c/%C set), or --info=name.
    internal bool InfoName => Info.Gte(InfoFlag.Name, 1);

    // INFO_GTE(PROGRESS, 1): --progress, or --info=progress (per-file progress is reported).
    internal bool ReportsProgress => Info.Gte(InfoFlag.Progress, 1);

    /// <summary>
    /// A client prints a deletion (log.c: log_delete: with INFO_GTE(DEL, 1) or whenever a stdout format is set).
    /// </summary>
    public bool LogsDeletions => Info.Gte(InfoFlag.Del, 1) || StdoutFormat is not null;

    // log.c: log_delete — a client reports a deletion it prints or writes to its --log-file.
    internal bool ReportsDeletions => LogsDeletions || LogFileFormat is not null;

    // main.c: get_local_name says "created directory" with INFO_GTE(NAME, 1) or stdout_format_has_i.
    internal bool ReportsCreatedDirectory => InfoName || StdoutFormatHasI > 0;

    // options.c: stdout_format_has_o_or_i — deletions are then printed with the format itself (log.c: log_delete).
    internal bool StdoutFormatHasOOrI => StdoutFormatHasI > 0 || LogFormat.Has(StdoutFormat, 'o');

    /// <summary>
    /// The format of the lines this side writes to its log file about each entry (options.c: logfile_format — a
    /// client's --log-file-format, "%i %n%L" with --log-file alone; a daemon module's "log format" under "transfer
    /// logging", clientserver.c: rsync_module); null writes none. A client's entries and deletions then come with
    /// <see cref="ItemizedChange.Logged"/> set as stock logs them; the log file itself is the caller's.
    /// </summary>
    public string? LogFileFormat { get; init; }

    // options.c: logfile_format_has_i — a server then also logs the entries it did not transfer (log.c: maybe_log_item).
    internal bool LogFileFormatHasI => LogFormat.Has(LogFileFormat, 'i');
}
