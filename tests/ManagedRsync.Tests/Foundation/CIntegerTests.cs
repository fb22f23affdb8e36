using ManagedRsync.Cli.Options;
using Xunit;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// The C conversions options are parsed with: strtoll(s, &amp;end, 0) as popt uses it (the whole text, any radix
/// prefix) and atol (a prefix of decimal digits, the rest ignored, clamped at long's limits).
/// </summary>
public sealed class CIntegerTests
{
    [Theory]
    [InlineData("42", 42L)]
    [InlineData(" \t\n+42", 42L)]
    [InlineData("-42", -42L)]
    [InlineData("0x1F", 31L)]
    [InlineData("010", 8L)]
    [InlineData("0", 0L)]
    [InlineData("", 0L)]
    [InlineData("-9223372036854775808", long.MinValue)]
    public void Strtoll_takes_the_whole_text(string text, long expected)
    {
        Assert.Equal(CInteger.Result.Ok, CInteger.TryParse(text, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("42k", "Invalid")]
    [InlineData("+", "Invalid")]
    [InlineData("08", "Invalid")]
    [InlineData("42 ", "Invalid")]
    [InlineData("9223372036854775808", "Overflow")]
    [InlineData("-9223372036854775809", "Overflow")]
    [InlineData("99999999999999999999999", "Overflow")]
    public void Strtoll_refuses_leftovers_and_overflow(string text, string expected) =>
        Assert.Equal(expected, CInteger.TryParse(text, out _).ToString());

    [Theory]
    [InlineData("  -17abc", -17L)]
    [InlineData("+8", 8L)]
    [InlineData("0x10", 0L)]
    [InlineData("abc", 0L)]
    [InlineData("99999999999999999999999", long.MaxValue)]
    [InlineData("-99999999999999999999999", long.MinValue)]
    public void Atol_reads_a_decimal_prefix(string text, long expected) =>
        Assert.Equal(expected, CInteger.Atol(text));
}
