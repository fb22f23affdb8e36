namespace ManagedRsync;

/// <summary>
/// The figures rsync's --stats prints (rsync main.c: output_summary), from the client's side, as a value: the library
/// fills it in while the run goes and hands it over with the <see cref="TransferResult"/>.
/// </summary>
public sealed record TransferStats
{
    /// <summary>Entries in the file list (rsync's "Number of files").</summary>
    public int NumFiles { get; internal set; }
    /// <summary>Regular files in the file list.</summary>
    public int NumRegular { get; internal set; }
    /// <summary>Directories in the file list.</summary>
    public int NumDirs { get; internal set; }
    /// <summary>Symlinks in the file list.</summary>
    public int NumSymlinks { get; internal set; }
    /// <summary>Devices in the file list.</summary>
    public int NumDevices { get; internal set; }
    /// <summary>Special files (FIFOs, sockets) in the file list.</summary>
    public int NumSpecials { get; internal set; }
    /// <summary>Entries created on the receiver (protocol 29+).</summary>
    public int CreatedFiles { get; internal set; }
    /// <summary>Directories created.</summary>
    public int CreatedDirs { get; internal set; }
    /// <summary>Symlinks created.</summary>
    public int CreatedSymlinks { get; internal set; }
    /// <summary>Devices created.</summary>
    public int CreatedDevices { get; internal set; }
    /// <summary>Special files created.</summary>
    public int CreatedSpecials { get; internal set; }
    /// <summary>Regular files deleted (protocol 31+).</summary>
    public int DeletedFiles { get; internal set; }
    /// <summary>Directories deleted.</summary>
    public int DeletedDirs { get; internal set; }
    /// <summary>Symlinks deleted.</summary>
    public int DeletedSymlinks { get; internal set; }
    /// <summary>Devices deleted.</summary>
    public int DeletedDevices { get; internal set; }
    /// <summary>Special files deleted.</summary>
    public int DeletedSpecials { get; internal set; }
    /// <summary>Regular files whose data was transferred.</summary>
    public int TransferredFiles { get; internal set; }
    /// <summary>Total size of the files in the list, in bytes.</summary>
    public long TotalSize { get; internal set; }
    /// <summary>Total size of the transferred files, in bytes.</summary>
    public long TotalTransferredSize { get; internal set; }
    /// <summary>Bytes sent as literal data.</summary>
    public long LiteralData { get; internal set; }
    /// <summary>Bytes matched against the receiver's basis files (not sent).</summary>
    public long MatchedData { get; internal set; }
    /// <summary>Bytes of the file list on the wire.</summary>
    public long FileListSize { get; internal set; }
    /// <summary>Milliseconds spent building the file list (0 when not known).</summary>
    public long FileListBuildMs { get; internal set; }
    /// <summary>Milliseconds spent sending the file list.</summary>
    public long FileListTransferMs { get; internal set; }
    /// <summary>Bytes this side sent.</summary>
    public long TotalBytesSent { get; internal set; }
    /// <summary>Bytes this side received.</summary>
    public long TotalBytesReceived { get; internal set; }
}

/// <summary>How a transfer that ran to its end went (rsync log.c: log_exit, main.c: the exit code of a finished run).</summary>
public enum TransferOutcome
{
    /// <summary>Everything was transferred (rsync exits 0).</summary>
    Complete,
    /// <summary>Some files or attributes were not transferred; errors were reported (rsync exits 23, RERR_PARTIAL).</summary>
    PartialTransfer,
    /// <summary>Some source files vanished before they could be sent, and nothing else failed (rsync exits 24, RERR_VANISHED).</summary>
    VanishedFiles,
    /// <summary>Everything else went, but --max-delete stopped some deletions (rsync exits 25, RERR_DEL_LIMIT).</summary>
    DeleteLimitReached,
}

/// <summary>How a transfer ended.</summary>
public sealed record TransferResult
{
    /// <summary>The figures of the run (rsync --stats).</summary>
    public required TransferStats Stats { get; init; }

    /// <summary>Whether everything was transferred, or some files failed or vanished (rsync exits 0, 23 or 24 for them).</summary>
    public required TransferOutcome Outcome { get; init; }

    /// <summary>The negotiated checksum name ("xxh128", "md5", ...); null before protocol 30, where the version decides it (md4/md5).</summary>
    public string? Checksum { get; init; }

    /// <summary>The negotiated compression name ("zstd", "zlib", ...; "none" without -z).</summary>
    public required string Compression { get; init; }

    /// <summary>The negotiated protocol version (the --stats block depends on it: rsync main.c output_summary).</summary>
    public int ProtocolVersion { get; init; }

    /// <summary>
    /// Over a remote shell: the shell's exit status when it ended non-zero (ssh passes on the remote rsync's); rsync's
    /// client exits with the higher of its own code and this one (main.c: client_run, cleanup.c: _exit_cleanup). Null
    /// for other transports and for a status of 0.
    /// </summary>
    public int? ShellExitStatus { get; init; }
}

/// <summary>
/// Progress of the file being sent (rsync --progress). <see cref="FileNumber"/> is the entry's place among all entries
/// listed so far and <see cref="FilesTotal"/> their count (progress.c: current_file_index and stats.num_files, which
/// grow as incremental recursion's lists come).
/// </summary>
public readonly record struct TransferProgress(string Name, long BytesDone, long FileSize, int FileNumber, int FilesTotal)
{
    /// <summary>More file lists may still come (incremental recursion before NDX_FLIST_EOF: progress.c "ir-chk").</summary>
    public bool ListsIncomplete { get; init; }

    /// <summary>The size of every regular file and symlink listed so far (stats.total_size).</summary>
    public long TotalSize { get; init; }

    /// <summary>The sizes of the files transferred so far, this one included (stats.total_transferred_size).</summary>
    public long TransferredSize { get; init; }

    /// <summary>
    /// Not a file's progress: an end-of-list index (NDX_DONE) came while a list was current (sender.c / receiver.c:
    /// end_progress(0), which --info=progress2 shows); <see cref="FileNumber"/> is that list's last entry.
    /// </summary>
    public bool EndOfList { get; init; }
}
