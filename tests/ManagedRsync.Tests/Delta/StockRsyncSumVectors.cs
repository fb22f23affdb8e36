using System.Globalization;
using ManagedRsync.Checksums;

namespace ManagedRsync.Tests.Delta;

/// <summary>One captured stock-rsync run of Vectors/Delta/sums.txt (see tests/tools/make-delta-vectors.sh).</summary>
public sealed record StockRsyncSumRun(
    string File, int Protocol, string Choice, int Seed, int Count, int BlockLength, int StrongLength, int Remainder,
    uint[] Sum1, byte[][] StrongPrefix, byte[] FileSum)
{
    public override string ToString() =>
        $"{File} p{Protocol} {Choice} seed={Seed.ToString(CultureInfo.InvariantCulture)}";

    public static string VectorPath(string name) => Path.Combine(AppContext.BaseDirectory, "Vectors", "Delta", name);

    public static IReadOnlyList<StockRsyncSumRun> Load()
    {
        var runs = new List<StockRsyncSumRun>();
        var lines = System.IO.File.ReadAllLines(VectorPath("sums.txt"));
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("file=", StringComparison.Ordinal))
                continue;
            var kv = lines[i].Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
            var h = lines[++i].Split(' ');
            int count = int.Parse(h[1], CultureInfo.InvariantCulture);
            var sum1 = new uint[count];
            var prefixes = new byte[count][];
            for (int b = 0; b < count; b++)
            {
                var parts = lines[++i].Split(' ');
                sum1[b] = uint.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                prefixes[b] = Convert.FromHexString(parts.Length > 2 ? parts[2] : "");
            }
            var fileSum = Convert.FromHexString(lines[++i].Split(' ')[1]);
            runs.Add(new StockRsyncSumRun(kv["file"], int.Parse(kv["protocol"], CultureInfo.InvariantCulture), kv["choice"],
                int.Parse(kv["seed"], CultureInfo.InvariantCulture), count, int.Parse(h[2], CultureInfo.InvariantCulture),
                int.Parse(h[3], CultureInfo.InvariantCulture), int.Parse(h[4], CultureInfo.InvariantCulture), sum1, prefixes, fileSum));
        }
        return runs;
    }

    public ChecksumVariant Variant
    {
        get
        {
            ChecksumKind? chosen = null;
            if (Choice != "auto")
            {
                Assert.True(ChecksumNames.TryParse(Choice, out var kind), Choice);
                chosen = kind;
            }
            return ChecksumNames.Resolve(chosen, Protocol);
        }
    }
}
