using System.Diagnostics;

namespace ManagedRsync.Protocol;

/// <summary>
/// --bwlimit on our sending side, as rsync io.c does it (perform_io, sleep_for_bwlimit): every write to the socket is
/// at most <see cref="WriteMax"/> bytes (bwlimit_writemax: an eighth of a second's worth, at least 512, options.c),
/// each written byte adds to a debt that the time since the previous write pays off at the limit, and only a debt of
/// a tenth of a second or more is slept off (short sleeps would be rounded up by the kernel and add up). The rate is
/// stock's integer arithmetic: KiB/s with a "KiB" of ONE_SEC/1024 = 976 microseconds per byte per KiB/s.
/// </summary>
internal sealed class BandwidthPacer
{
    private const long OneSecond = 1_000_000;
    private const long MicrosPerKib = OneSecond / 1024; // 976, integer division as in io.c
    private const long MinimumSleep = OneSecond / 10;

    private readonly long _kibPerSecond;
    private readonly Func<long> _nowMicros;
    private readonly Action<long> _sleepMicros;
    private long _debt;
    private long _prior = -1;

    /// <param name="kibPerSecond">rsync's bwlimit (KiB/s, from <c>--bwlimit</c>); at least 1.</param>
    /// <param name="nowMicros">A monotonic clock in microseconds (tests pass their own).</param>
    /// <param name="sleepMicros">Sleeps that long (tests pass their own).</param>
    public BandwidthPacer(int kibPerSecond, Func<long>? nowMicros = null, Action<long>? sleepMicros = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kibPerSecond, 1);
        _kibPerSecond = kibPerSecond;
        _nowMicros = nowMicros ?? (() => Stopwatch.GetTimestamp() * OneSecond / Stopwatch.Frequency);
        _sleepMicros = sleepMicros ?? (us => Thread.Sleep(TimeSpan.FromMicroseconds(us)));
        WriteMax = (int)Math.Clamp(kibPerSecond * 128L, 512, int.MaxValue);
    }

    /// <summary>The most bytes one write may carry (rsync options.c: bwlimit_writemax = bwlimit * 128, at least 512).</summary>
    public int WriteMax { get; }

    /// <summary>Accounts <paramref name="bytes"/> just written, sleeping when the debt reaches a tenth of a second.</summary>
    public void Wrote(int bytes)
    {
        _debt += bytes;
        long start = _nowMicros();
        if (_prior >= 0)
        {
            _debt -= (start - _prior) * _kibPerSecond / MicrosPerKib;
            if (_debt < 0)
                _debt = 0;
        }
        long sleep = _debt * MicrosPerKib / _kibPerSecond;
        if (sleep < MinimumSleep)
        {
            _prior = start;
            return;
        }
        _sleepMicros(sleep);
        _prior = _nowMicros();
        // What the sleep did not cover (or overslept, negative) carries over, as io.c keeps total_written.
        _debt = (sleep - (_prior - start)) * _kibPerSecond / MicrosPerKib;
    }
}
