using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Client;

/// <summary>
/// A client's --log-file (rsync log.c: logfile_open, logit): opened once, before the transfer, for appending (created
/// 0644 less the umask), never through a symlink someone else owns (syscall.c: open_no_attacker_symlinks); each line
/// written as "YYYY/MM/DD HH:MM:SS [PID] TEXT" in local time and flushed at once. The text's control bytes and C1
/// bytes (0x80-0x9f) are escaped as "\#ooo", other bytes go in as they are (log.c: filtered_fwrite with escape_c1).
/// </summary>
public sealed class ClientLogFile : IDisposable
{
    // log.c: logfile_open — O_WRONLY|O_APPEND|O_CREAT, 0644 (under umask 022 | the user's umask).
    private const uint CreateMode = 0x1A4;

    private readonly object _gate = new();
    private readonly FileStream _file;

    private ClientLogFile(FileStream file) => _file = file;

    /// <summary>
    /// Opens <paramref name="path"/>, or says why not as stock's client does (log.c: logfile_open: "rsync: [client]
    /// failed to open log-file PATH: REASON (ERRNO)"; stock then logs to syslog, and goes on with the transfer).
    /// </summary>
    /// <param name="path">The --log-file argument.</param>
    /// <param name="error">The error line when the file cannot be opened; null when it was.</param>
    /// <returns>The open log file, or null.</returns>
    public static ClientLogFile? Open(string path, out string? error)
    {
        ArgumentNullException.ThrowIfNull(path);
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.OpenForAppending(path, CreateMode);
        if (opened.Handle is not { } handle)
        {
            error = (opened.UntrustedSymlink ? OwnerCheckedOpen.RefusalNote + "\n" : "")
                + $"rsync: [client] failed to open log-file {path}: {Marshal.GetPInvokeErrorMessage(opened.Errno)} ({opened.Errno})";
            return null;
        }
        error = null;
        return new ClientLogFile(new FileStream(handle, FileAccess.Write, bufferSize: 0));
    }

    /// <summary>Appends one line (without its newline) with the date and process id in front.</summary>
    /// <param name="line">The text; "\#ooo" escapes of a name's bytes (as the library shows them) stand for the bytes.</param>
    public void Write(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string stamp = LogLine.TimeString(DateTimeOffset.Now);
        byte[] text = Escape(LogLine.DisplayedBytes(line, lowest: 0));
        byte[] prefix = Encoding.ASCII.GetBytes($"{stamp} [{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}] ");
        lock (_gate)
        {
            _file.Write(prefix);
            _file.Write(text);
            _file.WriteByte((byte)'\n');
            _file.Flush();
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    // log.c: filtered_fwrite(use_isprint 0, escape_c1 1) — a byte below ' ' but a tab, a C1 byte, and the backslash of
    // a literal "\#ddd" become "\#ooo".
    private static byte[] Escape(byte[] bytes)
    {
        var output = new List<byte>(bytes.Length + 8);
        for (int i = 0; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            bool literalEscape = i < bytes.Length - 4 && b == '\\' && bytes[i + 1] == '#'
                && IsDigit(bytes[i + 2]) && IsDigit(bytes[i + 3]) && IsDigit(bytes[i + 4]);
            if (literalEscape || (b != '\t' && (b < ' ' || b is >= 0x80 and <= 0x9f)))
                output.AddRange(Encoding.ASCII.GetBytes("\\#" + Convert.ToString(b, 8).PadLeft(3, '0')));
            else
                output.Add(b);
        }
        return [.. output];
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';
}
