using ManagedRsync.Platform;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using ManagedRsync.IO;

namespace ManagedRsync.Transports;

/// <summary>
/// The remote-shell process of one transfer (rsync pipe.c: piped_child): its stdin and stdout are the connection, its
/// stderr (the shell's own complaints and whatever the remote rsync prints before its output is multiplexed) goes to
/// the log line by line, as stock lets it through to the terminal.
/// </summary>
internal sealed class RemoteShellProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task _stderr;

    private RemoteShellProcess(Process process, ITransferLog log)
    {
        _process = process;
        Stream = new DuplexStream(process.StandardOutput.BaseStream, process.StandardInput.BaseStream, ownsStreams: true);
        _stderr = Task.Run(() => ForwardErrorsAsync(process.StandardError.BaseStream, log));
    }

    /// <summary>Reads what the remote end writes, writes what it reads.</summary>
    public Stream Stream { get; }

    /// <summary>
    /// Starts <paramref name="argv"/> (program looked up on PATH, as execvp does), with <paramref name="environment"/>
    /// added to ours.
    /// </summary>
    /// <exception cref="RsyncException">The program could not be started: "Failed to exec", RERR_IPC (14).</exception>
    public static RemoteShellProcess Start(IReadOnlyList<string> argv, ITransferLog log,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(argv.Count > 0 ? argv[0] : "")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in argv.Skip(1))
            start.ArgumentList.Add(arg);
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        try
        {
            Process process = Process.Start(start) ?? throw new Win32Exception(2);
            return new RemoteShellProcess(process, log);
        }
        catch (Win32Exception e)
        {
            // rsync pipe.c: piped_child reports the failed execvp with errno and exits RERR_IPC.
            throw new RsyncException(RsyncErrorKind.ProcessFailed, $"Failed to exec {start.FileName}: {SystemError.Describe(e)}", e);
        }
    }

    /// <summary>
    /// The shell's exit status once it has exited, waiting at most <paramref name="patience"/>: rsync's client takes the
    /// child's status when the connection ends (main.c: client_run waits for it; cleanup.c: _exit_cleanup takes it
    /// when it is higher than its own code). Null when it is still running. Its stderr has been forwarded by then.
    /// </summary>
    public async Task<int?> ExitStatusAsync(TimeSpan patience, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (patience != Timeout.InfiniteTimeSpan)
            wait.CancelAfter(patience);
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            await _stderr.WaitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return _process.HasExited ? _process.ExitCode : null;
        }
        return _process.ExitCode;
    }

    /// <summary>Closes our ends of the pipes (the shell sees end of input) and ends the shell if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync().ConfigureAwait(false);
        if (!_process.HasExited)
        {
            // Given a moment to leave on its own after end of input (ssh forwards it and exits), then ended.
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        try
        {
            await _stderr.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A grandchild may hold the stderr pipe open; its lines are no longer ours to print.
        }
        _process.Dispose();
    }

    private static async Task ForwardErrorsAsync(Stream stderr, ITransferLog log)
    {
        var line = new List<byte>();
        byte[] buffer = new byte[4096];
        int read;
        while ((read = await stderr.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            foreach (byte b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    log.Error(Encoding.UTF8.GetString([.. line]));
                    line.Clear();
                }
                else
                {
                    line.Add(b);
                }
            }
        }
        if (line.Count > 0)
            log.Error(Encoding.UTF8.GetString([.. line]));
    }
}
