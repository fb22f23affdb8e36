namespace ManagedRsync.Cli.Commands;

/// <summary>
/// What ends a run early: the signals' token (rsync main.c: sig_int), and the moment --stop-after / --stop-at set
/// (rsync io.c: perform_io compares time(NULL) with stop_at_utime and exits with "stopping at requested limit"). The
/// run waits on <see cref="Token"/>; <see cref="Reached"/> tells the limit apart from a signal.
/// </summary>
internal sealed class RunLimit : IDisposable
{
    // DateTimeOffset's last second: a later --stop-at (stock takes years past 9999) never comes.
    private static readonly long LastSecond = DateTimeOffset.MaxValue.ToUnixTimeSeconds();
    private static readonly TimeSpan LongestWait = TimeSpan.FromDays(1);

    private readonly CancellationTokenSource _source;
    private readonly Timer? _timer;
    private readonly long _at;
    private volatile bool _reached;

    public RunLimit(CancellationToken signals, long? stopAt)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(signals);
        if (stopAt is long at && at <= LastSecond)
        {
            _at = at;
            _timer = new Timer(_ => Check(), null, Timeout.Infinite, Timeout.Infinite);
            Check();
        }
    }

    public CancellationToken Token => _source.Token;

    /// <summary>The --stop-after / --stop-at moment came (not a signal).</summary>
    public bool Reached => _reached;

    // A timer waits at most a day at a time (its period is bounded), then looks again at the clock.
    private void Check()
    {
        TimeSpan left = DateTimeOffset.FromUnixTimeSeconds(_at) - DateTimeOffset.UtcNow;
        try
        {
            if (left <= TimeSpan.Zero)
            {
                _reached = true;
                _source.Cancel();
            }
            else
            {
                _timer!.Change(left < LongestWait ? left : LongestWait, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // The run ended first.
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _source.Dispose();
    }
}
