namespace ManagedRsync.Protocol;

/// <summary>rsync rsync.h: enum msgcode, the tags of the multiplexed stream.</summary>
internal enum MessageCode : byte
{
    /// <summary>Raw data on the multiplexed stream.</summary>
    Data = 0,
    /// <summary>A transfer error message (FERROR_XFER).</summary>
    ErrorXfer = 1,
    /// <summary>An informational message (FINFO).</summary>
    Info = 2,
    /// <summary>An error message (FERROR), protocol 30+.</summary>
    Error = 3,
    /// <summary>A warning (FWARNING), protocol 30+.</summary>
    Warning = 4,
    /// <summary>Sibling logging only; a peer must not send it over the socket.</summary>
    ErrorSocket = 5,
    /// <summary>Log-file only (FLOG).</summary>
    Log = 6,
    /// <summary>Never transmitted (FCLIENT).</summary>
    Client = 7,
    /// <summary>Sibling logging only (FERROR_UTF8).</summary>
    ErrorUtf8 = 8,
    /// <summary>Reprocess the indicated file-list index (receiver to generator).</summary>
    Redo = 9,
    /// <summary>Stats for the generator (sibling only).</summary>
    Stats = 10,
    /// <summary>The sending side had an I/O error; payload: int32 io_error.</summary>
    IoError = 22,
    /// <summary>The daemon's timeout value; payload: int32 seconds.</summary>
    IoTimeout = 33,
    /// <summary>A do-nothing message (protocol 30 keep-alive).</summary>
    Noop = 42,
    /// <summary>Synchronised error exit (protocol 31+); payload: int32 exit code, optional.</summary>
    ErrorExit = 86,
    /// <summary>The indicated file-list index was updated.</summary>
    Success = 100,
    /// <summary>A file was deleted on the receiving side; payload: the name.</summary>
    Deleted = 101,
    /// <summary>The sender failed to open a file we wanted; payload: int32 ndx.</summary>
    NoSend = 102,
}

/// <summary>Constants of rsync's file-list index stream (rsync rsync.h).</summary>
internal static class Ndx
{
    public const int Done = -1;
    public const int FlistEof = -2;
    public const int DelStats = -3;
    public const int FlistOffset = -101;
}
