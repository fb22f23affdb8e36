namespace ManagedRsync;

/// <summary>The figures rsync's --stats prints (rsync main.c: output_summary), from the client's side.</summary>
public sealed class TransferStats
{
    public int NumFiles { get; internal set; }
    public int NumRegular { get; internal set; }
    public int NumDirs { get; internal set; }
    public int NumSymlinks { get; internal set; }
    public int NumDevices { get; internal set; }
    public int NumSpecials { get; internal set; }
    public int CreatedFiles { get; internal set; }
    public int CreatedDirs { get; internal set; }
    public int CreatedSymlinks { get; internal set; }
    public int CreatedDevices { get; internal set; }
    public int CreatedSpecials { get; internal set; }
    public int DeletedFiles { get; internal set; }
    public int DeletedDirs { get; internal set; }
    public int DeletedSymlinks { get; internal set; }
    public int DeletedDevices { get; internal set; }
    public int DeletedSpecials { get; internal set; }
    public int TransferredFiles { get; internal set; }
    public long TotalSize { get; internal set; }
    public long TotalTransferredSize { get; internal set; }
    public long LiteralData { get; internal set; }
    public long MatchedData { get; internal set; }
    public long FileListSize { get; internal set; }
    public long FileListBuildMs { get; internal set; }
    public long FileListTransferMs { get; internal set; }
    public long TotalBytesSent { get; internal set; }
    public long TotalBytesReceived { get; internal set; }
}

/// <summary>How a transfer ended.</summary>
public sealed class TransferResult
{
    public required TransferStats Stats { get; init; }

    /// <summary>rsync's exit code for the run: 0, or 23 (partial transfer) / 24 (vanished files).</summary>
    public required RsyncExitCode ExitCode { get; init; }

    /// <summary>The negotiated protocol, checksum and compression.</summary>
    public required string Protocol { get; init; }

    /// <summary>The negotiated protocol version (the --stats block depends on it: rsync main.c output_summary).</summary>
    public int ProtocolVersion { get; init; }
}

/// <summary>Where a transfer reports what rsync prints: file names, daemon messages, errors.</summary>
public interface ITransferLog
{
    /// <summary>A line rsync prints on stdout (file names with -v, itemized changes, daemon info).</summary>
    void Info(string line);

    /// <summary>A line rsync prints on stderr (errors and warnings, the daemon's included).</summary>
    void Error(string line);
}

/// <summary>Progress of the file being sent (rsync --progress).</summary>
public readonly record struct TransferProgress(string Name, long BytesDone, long FileSize, int FileNumber, int FilesTotal);

/// <summary>A log that drops everything (the library's default when the caller passes none).</summary>
internal sealed class SilentLog : ITransferLog
{
    public static readonly SilentLog Instance = new();

    public void Info(string line)
    {
    }

    public void Error(string line)
    {
    }
}
