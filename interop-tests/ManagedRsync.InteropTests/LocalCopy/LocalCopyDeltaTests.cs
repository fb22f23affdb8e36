using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// A local copy with --no-W over an older copy uses the old file as the basis, as stock rsync does (a local copy
/// is whole-file by default, options.c: whole_file for local transfers): --stats' "Matched data" and "Literal data"
/// equal stock's for the same edits, and the result is the new file.
/// </summary>
public sealed partial class LocalCopyDeltaTests : IDisposable
{
    private const int Size = 8 << 20;
    private readonly SideBySide _pair = new();

    public void Dispose() => _pair.Dispose();

    [Theory]
    [InlineData("-a --no-W --stats")]
    [InlineData("-ai --no-W --stats")]
    [InlineData("-av --no-W --stats --block-size=2048")]
    [InlineData("-a --stats")]
    public async Task ChangedBigFileIsSentAsStockSendsIt(string options)
    {
        var rng = new Random(12);
        byte[] data = new byte[Size];
        rng.NextBytes(data);
        Directory.CreateDirectory(_pair.Source);
        string file = Path.Combine(_pair.Source, "big.bin");
        await File.WriteAllBytesAsync(file, data);
        LocalSource.SetTimes(_pair.Source);
        (await _pair.RunAsync(["-a"])).AssertExit(0).AssertSame();
        // 16 scattered 4 KiB edits and one insertion: the rest of the file matches the old copy's blocks.
        for (int i = 0; i < 16; i++)
            rng.NextBytes(data.AsSpan(rng.Next(Size - 4096), 4096));
        byte[] edited = [.. data.AsSpan(0, Size / 2), .. "inserted"u8, .. data.AsSpan(Size / 2)];
        await File.WriteAllBytesAsync(file, edited);
        File.SetLastWriteTimeUtc(file, LocalSource.Past.AddDays(1));
        Directory.SetLastWriteTimeUtc(_pair.Source, LocalSource.Past);

        var outcome = (await _pair.RunAsync(options.Split(' '))).AssertExit(0).AssertSame();

        long matched = Figure(outcome.Ours.Stdout, "Matched data");
        long literal = Figure(outcome.Ours.Stdout, "Literal data");
        if (options.Contains("--no-W", StringComparison.Ordinal))
        {
            Assert.True(matched > Size / 2, outcome.Ours.ToString());
            Assert.True(literal < Size / 8, outcome.Ours.ToString());
        }
        else
        {
            // Without --no-W a local copy sends the whole file (stock's default for local copies).
            Assert.Equal(0, matched);
            Assert.Equal(edited.Length, literal);
        }
    }

    private static long Figure(string stdout, string label)
    {
        Match m = Regex.Match(stdout, "^" + label + ": ([0-9,]+) bytes$", RegexOptions.Multiline);
        Assert.True(m.Success, $"no \"{label}\" line in\n{stdout}");
        return long.Parse(m.Groups[1].Value.Replace(",", ""));
    }
}
