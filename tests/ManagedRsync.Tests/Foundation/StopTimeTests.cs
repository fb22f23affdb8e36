using ManagedRsync.Cli.Options;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// --stop-at's times as options.c parse_time makes them, from a fixed "now" (2026-01-31 15:00 UTC) in UTC. The odd
/// ones are stock's own: "10:00" after 10:00 on the last day of a month is the 2nd, not the 1st (the day rolled over
/// by mktime is moved on once more), measured with stock 3.5.0 under faketime (a pull stopped 43 hours on).
/// </summary>
public class StopTimeTests
{
    private static readonly long Now = new DateTimeOffset(2026, 1, 31, 15, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds();

    [Theory]
    [InlineData("2099-01-01T00:00", "2099-01-01T00:00")]
    [InlineData("2099/12/31T23:59", "2099-12-31T23:59")]
    [InlineData("99-12-31", "2099-12-31T00:00")]
    [InlineData("26-02-01", "2026-02-01T00:00")]
    [InlineData("2099-02-29", "2099-03-01T00:00")]
    [InlineData("16:00", "2026-01-31T16:00")]
    [InlineData("T16:00", "2026-01-31T16:00")]
    [InlineData("10:00", "2026-02-02T10:00")]
    [InlineData(":30", "2026-01-31T15:30")]
    [InlineData(":00", "2026-01-31T16:00")]
    [InlineData("1-31", "2027-01-31T00:00")]
    [InlineData("2-1T", "2026-02-01T00:00")]
    [InlineData("31", "2026-03-31T00:00")]
    [InlineData("2-29", "2028-02-29T00:00")]
    [InlineData("2-29T6:07", "2028-02-29T06:07")]
    // A date number with a ':' after it is the hour: the 1st (of a month to come) at 02:30.
    [InlineData("1-2:30", "2026-02-01T02:30")]
    public void A_time_is_the_moment_stock_stops_at(string arg, string expected)
    {
        long at = StopTime.At(arg, Now, TimeZoneInfo.Utc);
        Assert.Equal(DateTimeOffset.Parse(expected + ":00Z", System.Globalization.CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeSeconds(at));
    }

    [Theory]
    [InlineData("1", 60)]
    [InlineData("5abc", 300)]
    [InlineData(" +2", 120)]
    [InlineData("1.9", 60)]
    public void Minutes_are_read_as_atol_reads_them(string arg, long seconds) =>
        Assert.Equal(Now + seconds, StopTime.AfterMinutes(arg, Now));

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("x")]
    [InlineData("")]
    // atol saturates at LONG_MAX; times 60 wraps to a negative number of seconds.
    [InlineData("99999999999999999999")]
    // Positive, but past the end of time_t from now.
    [InlineData("153722867280912930")]
    public void Bad_minutes_are_stocks_usage_error(string arg)
    {
        var e = Assert.Throws<OptionException>(() => StopTime.AfterMinutes(arg, Now));
        Assert.Equal($"invalid --stop-after value: {arg}", e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Theory]
    [InlineData("2026-01-31T14:59", "--stop-at time is not in the future: 2026-01-31T14:59")]
    [InlineData("2026-01-31T15:00", "--stop-at time is not in the future: 2026-01-31T15:00")]
    [InlineData("24:00", "invalid --stop-at format: 24:00")]
    [InlineData("T5", "invalid --stop-at format: T5")]
    [InlineData("1-2-3-4", "invalid --stop-at format: 1-2-3-4")]
    [InlineData("2-:30", "invalid --stop-at format: 2-:30")]
    public void Bad_times_are_stocks_usage_error(string arg, string message)
    {
        var e = Assert.Throws<OptionException>(() => StopTime.At(arg, Now, TimeZoneInfo.Utc));
        Assert.Equal(message, e.Message);
    }
}
