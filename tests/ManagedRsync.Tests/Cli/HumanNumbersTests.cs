using ManagedRsync.Cli.Output;

namespace ManagedRsync.Tests.Cli;

/// <summary>
/// Numbers as stock rsync 3.5.0 prints them (lib/compat.c: do_big_num, do_big_dnum); the expected strings are what
/// stock printed for the same figures in its --stats block (e.g. 100,020 bytes: "100.02K" with -h, "97.68K" with -hh).
/// </summary>
public sealed class HumanNumbersTests
{
    [Theory]
    [InlineData(0, 100_020L, "100020")]
    [InlineData(1, 100_020L, "100,020")]
    [InlineData(2, 100_020L, "100.02K")]
    [InlineData(3, 100_020L, "97.68K")]
    [InlineData(1, 0L, "0")]
    [InlineData(2, 999L, "999")]
    [InlineData(2, 1000L, "1.00K")]
    [InlineData(3, 1000L, "1,000")]
    [InlineData(2, 1_500_000L, "1.50M")]
    [InlineData(3, 5L << 30, "5.00G")]
    [InlineData(2, 7_000_000_000_000_000L, "7.00P")]
    [InlineData(1, 1_234_567_890L, "1,234,567,890")]
    public void HumanNumIsDoBigNum(int level, long value, string expected) =>
        Assert.Equal(expected, new HumanNumbers(level).Human(value));

    [Theory]
    [InlineData(0, 100_020L, "100020")]
    [InlineData(2, 100_020L, "100,020")]
    [InlineData(3, 4L, "4")]
    public void CommaNumNeverUsesUnits(int level, long value, string expected) =>
        Assert.Equal(expected, new HumanNumbers(level).Comma(value));

    [Theory]
    [InlineData(1, 201_186.0, 2, "201,186.00")]
    [InlineData(2, 201_186.0, 2, "201.19K")]
    [InlineData(1, 654.0, 2, "654.00")]
    [InlineData(2, 654.0, 2, "654.00")]
    [InlineData(0, 201_186.0, 2, "201186.00")]
    [InlineData(1, 0.001, 3, "0.001")]
    public void RatesAreDoBigDnum(int level, double value, int digits, string expected) =>
        Assert.Equal(expected, new HumanNumbers(level).HumanDecimal(value, digits));

    [Fact]
    public void SpeedupUsesSeparatorsButNoUnits() =>
        Assert.Equal("1,234.57", new HumanNumbers(3).CommaDecimal(1234.567, 2));
}
