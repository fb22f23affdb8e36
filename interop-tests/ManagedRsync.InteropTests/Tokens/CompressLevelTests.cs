using System.Globalization;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Tokens;

/// <summary>
/// --compress-level per codec against stock rsync 3.5.0 (token.c: init_compression_level), seen in the bytes a push
/// puts on the wire (--stats "Total bytes sent"), each client against itself: zlib at level 0 is no compression at all,
/// lz4 has the one level whatever is asked, and a level past a codec's range is that codec's nearest level. (The two
/// clients' totals differ by a few dozen bytes that do not come from the token stream: lz4's stream is byte-identical
/// to stock's and our total is 40 bytes more; not explained yet.) A value that is not a number is popt's usage error,
/// in stock's words.
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed partial class CompressLevelTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-zlevel-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Theory]
    // zlib's 0 turns compression off (token.c: init_compression_level sets CPRES_NONE): the literal goes as it is.
    [InlineData("zlib", "0")]
    [InlineData("zlibx", "0")]
    public async Task Level_zero_sends_the_data_uncompressed(string codec, string level)
    {
        var (stock, ours) = await PushBothAsync(codec, level);
        string figures = $"{codec} level {level}: stock sent {stock}, mrsync {ours} of {TextLength}";
        Assert.True(stock > TextLength && ours > TextLength, figures);
    }

    [Theory]
    // Past the top and the bottom of each range: the nearest level (zlib 1..9, zstd ZSTD_minCLevel()..22; zstd's 0
    // is its default, 3; zlib's -1 is its default, 6).
    [InlineData("zlib", "99", "9")]
    [InlineData("zlib", "-5", "1")]
    [InlineData("zlib", "-1", "6")]
    [InlineData("zstd", "99", "22")]
    [InlineData("zstd", "0", "3")]
    [InlineData("zstd", "-200000", "-131072")]
    // lz4 has the one level (0) whatever is asked.
    [InlineData("lz4", "7", "0")]
    [InlineData("lz4", "-3", "0")]
    public async Task A_level_out_of_range_is_the_codecs_nearest(string codec, string level, string same)
    {
        var (stockAsked, oursAsked) = await PushBothAsync(codec, level);
        var (stockSame, oursSame) = await PushBothAsync(codec, same);
        string figures = $"{codec}: stock {level} -> {stockAsked}, {same} -> {stockSame}; mrsync {level} -> {oursAsked}, {same} -> {oursSame}";
        Assert.True(stockAsked == stockSame, figures);
        Assert.True(oursAsked == oursSame, figures);
    }

    [Theory]
    [InlineData("--compress-level=abc")]
    [InlineData("--compress-level=")]
    [InlineData("--zl=3x")]
    public async Task A_level_that_is_not_a_number_is_stocks_usage_error(string option)
    {
        string[] args = ["-z", option, daemon.Url];
        ProcessResult stock = await daemon.RunRsyncAsync(args);
        ProcessResult ours = await daemon.RunMrsyncAsync(args);
        Assert.True(stock.ExitCode == ours.ExitCode && stock.Stderr.Split('\n')[0] == ours.Stderr.Split('\n')[0], daemon.Explain(stock, ours));
    }

    // Pushes one compressible file with stock's client and ours; the bytes each sent.
    private async Task<(long Stock, long Ours)> PushBothAsync(string codec, string level)
    {
        string src = Path.Combine(_work, "src");
        if (!Directory.Exists(src))
        {
            Directory.CreateDirectory(src);
            File.WriteAllBytes(Path.Combine(src, "text.txt"), Text);
        }
        var sent = new long[2];
        foreach (int who in (int[])[0, 1])
        {
            string[] args = ["-r", "-z", $"--zc={codec}", $"--compress-level={level}", "--stats", src + "/",
                $"{daemon.Url}{DaemonModules.Open}/zlevel-{Guid.NewGuid():N}/"];
            ProcessResult run = who == 0 ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args);
            Assert.True(run.ExitCode == 0, daemon.Explain(run));
            Match m = Sent().Match(run.Stdout);
            Assert.True(m.Success, run.Stdout);
            sent[who] = long.Parse(m.Groups[1].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
        }
        return (sent[0], sent[1]);
    }

    private static readonly byte[] Text = System.Text.Encoding.ASCII.GetBytes(
        string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i % 97} of the level test\n")));

    private static int TextLength => Text.Length;

    [GeneratedRegex(@"^Total bytes sent: ([\d,]+)", RegexOptions.Multiline)]
    private static partial Regex Sent();
}
