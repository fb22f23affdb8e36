using System.Globalization;
using System.Text;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The daemon's log file (log.c: logit with a log file): each line "YYYY/MM/DD HH:MM:SS [PID] TEXT", appended. Without
/// a log file stock logs to syslog; mrsync then logs nothing (say --log-file or "log file" to keep a log).
/// </summary>
internal sealed class DaemonLogFile(string? path)
{
    private readonly object _gate = new();
    private FileStream? _held;

    public string? Path => path;

    /// <summary>
    /// Keeps the file open from now on (log.c: log_init opens it once): a connection about to take a module's user
    /// can still write to a log file only root may open.
    /// </summary>
    public void Hold()
    {
        if (path is null || _held is not null)
            return;
        try
        {
            _held = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    public void Write(string text)
    {
        if (path is null)
            return;
        string stamp = DateTime.Now.ToString("yyyy/MM/dd HH:mm:ss", CultureInfo.InvariantCulture);
        var line = new StringBuilder();
        foreach (string part in text.TrimEnd('\n').Split('\n'))
            line.Append(stamp).Append(" [").Append(Environment.ProcessId).Append("] ").Append(part).Append('\n');
        lock (_gate)
        {
            try
            {
                if (_held is not null)
                {
                    _held.Write(Encoding.UTF8.GetBytes(line.ToString()));
                    _held.Flush();
                }
                else
                {
                    File.AppendAllText(path, line.ToString());
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // log.c: a log file that cannot be written is not a reason to drop the client.
            }
        }
    }
}
