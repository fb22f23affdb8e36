using System.ComponentModel;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>
/// A system call's failure as stock rsync words it (log.c: rsyserr appends <c>": %s (%d)"</c> with strerror(errno)
/// and errno): "Permission denied (13)". A .NET exception's <see cref="Exception.Message"/> is not fit to show: the CLI
/// publishes with UseSystemResourceKeys, so a BCL message is a resource key ("UnauthorizedAccess_IODenied_Path"), and
/// even with resources it is .NET's sentence, not the errno's words.
/// </summary>
/// <remarks>
/// Which errno an exception carries (.NET on Unix, Interop.IOErrors.cs: GetExceptionForIoErrno): ENOENT is a
/// FileNotFound/DirectoryNotFoundException, EACCES/EPERM/EBADF an UnauthorizedAccessException (EPERM is not told
/// apart from EACCES there: it reads as EACCES), ENAMETOOLONG a PathTooLongException, every other errno a plain
/// IOException whose HResult is the raw errno. Socket and Win32 exceptions carry the errno as NativeErrorCode (a
/// NetworkStream's IOException has the SocketException inside).
/// Anything else (our own RsyncException, a parser's message) keeps its Message.
/// </remarks>
internal static class SystemError
{
    // Linux errnos are small positive numbers (asm-generic: at most 133); .NET's own HRESULTs are negative.
    private const int MaxErrno = 4095;

    /// <summary>The errno an exception stands for, or null when it is not a system call's failure.</summary>
    public static int? Errno(Exception e) => e switch
    {
        SocketException s => s.NativeErrorCode,
        Win32Exception w => w.NativeErrorCode,
        FileNotFoundException or DirectoryNotFoundException => Interop.ENOENT,
        PathTooLongException => Interop.ENAMETOOLONG,
        UnauthorizedAccessException => Interop.EACCES,
        // NetworkStream wraps a socket's failure in an IOException of its own ("Unable to read data ...").
        IOException { InnerException: SocketException s } => s.NativeErrorCode,
        IOException io when io.HResult is > 0 and <= MaxErrno => io.HResult,
        _ => null,
    };

    /// <summary>"WORDS (ERRNO)" as stock's rsyserr prints them, or the exception's own message.</summary>
    public static string Describe(Exception e) =>
        Errno(e) is { } errno ? Describe(errno) : e.Message;

    /// <summary>"WORDS (ERRNO)" for one errno: strerror's words (the C library's, not a resource) and the number.</summary>
    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} ({errno})";
}
