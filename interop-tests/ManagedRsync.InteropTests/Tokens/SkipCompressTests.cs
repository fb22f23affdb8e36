using System.Globalization;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.ReceivingOptions;

namespace ManagedRsync.InteropTests.Tokens;

/// <summary>
/// --skip-compress=LIST as stock rsync 3.5.0 has it: parsed, sent to a sending server (options.c: server_options), and
/// changing nothing on the wire, because token.c: set_compression's per-file suffix match is compiled out in 3.5.0 ("No
/// compression algorithms currently allow mid-stream changing of the level"). A compressible file named *.gz goes
/// compressed with -z whether or not the list names "gz": the bytes the sender put on the wire (--stats) are the
/// same with and without the option, for stock's client and ours, on a push, a pull and a local copy.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class SkipCompressTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-skipz-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    public static TheoryData<InplaceAppendTests.Way, string> Rows()
    {
        var rows = new TheoryData<InplaceAppendTests.Way, string>();
        foreach (InplaceAppendTests.Way way in Enum.GetValues<InplaceAppendTests.Way>())
        {
            foreach (string codec in (string[])["zlib", "zstd", "lz4"])
                rows.Add(way, codec);
        }
        return rows;
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task A_listed_suffix_is_compressed_all_the_same(InplaceAppendTests.Way way, string codec)
    {
        var places = OptionScenario.Places.For(daemon, _work, way);
        byte[] text = CompressibleText(1_000_000);
        OptionScenario.WriteBytes(places.Source, "data.gz", text, OptionScenario.Old);
        Directory.CreateDirectory(places.Push ? Path.Combine(daemon.ModulePath(DaemonModules.Open), places.Id) : Path.Combine(_work, places.Id));

        var wire = new Dictionary<string, long>();
        foreach (string skip in (string[])["", "--skip-compress=gz/jpg"])
        {
            foreach (bool stock in (bool[])[true, false])
            {
                // A fresh destination each time: a second run into the same one moves fewer bytes (nothing to do for ".").
                string leaf = $"{(stock ? "stock" : "ours")}{(skip.Length > 0 ? "-skip" : "")}";
                string to = places.Push ? $"{daemon.Url}{DaemonModules.Open}/{places.Id}/{leaf}/" : Path.Combine(_work, places.Id, leaf) + "/";
                string dest = places.Push ? Path.Combine(daemon.ModulePath(DaemonModules.Open), places.Id, leaf) : Path.Combine(_work, places.Id, leaf);
                string[] args = ["-a", "-z", $"--zc={codec}", "--stats", .. skip.Length > 0 ? [skip] : Array.Empty<string>(), places.From(), to];
                ProcessResult run = stock ? await daemon.RunRsyncAsync(args) : await daemon.RunMrsyncAsync(args);
                Assert.True(run.ExitCode == 0, daemon.Explain(run));
                // The sender's bytes: ours on a push and in a local copy, the daemon's on a pull.
                wire[$"{(stock ? "stock" : "ours")} {skip}"] = Stat(run.Stdout, places.Pull ? "received" : "sent");
                Assert.Equal(text, File.ReadAllBytes(Path.Combine(dest, "data.gz")));
            }
        }
        string figures = string.Join(", ", wire.Select(kv => $"{kv.Key}: {kv.Value}"));
        Assert.True(wire["stock "] == wire["stock --skip-compress=gz/jpg"], figures);
        Assert.True(wire["ours "] == wire["ours --skip-compress=gz/jpg"], figures);
        // Compressed indeed, by stock and by us alike (zlib and zstd take the text to about an eighth, lz4 to under half).
        Assert.True(wire["stock --skip-compress=gz/jpg"] < text.Length * 3 / 5, figures);
        Assert.True(wire["ours --skip-compress=gz/jpg"] < text.Length * 3 / 5, figures);
    }

    // Words from a small vocabulary: compresses well with every codec.
    private static byte[] CompressibleText(int length)
    {
        string[] words = ["alpha", "beta", "gamma", "delta", "rsync", "data", "file", "block"];
        var random = new Random(5);
        var text = new System.Text.StringBuilder(length + 16);
        while (text.Length < length)
            text.Append(words[random.Next(words.Length)]).Append(' ');
        return System.Text.Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    private static long Stat(string stdout, string which)
    {
        Match m = TotalBytes().Match(stdout);
        while (m.Success && m.Groups[1].Value != which)
            m = m.NextMatch();
        Assert.True(m.Success, $"no \"Total bytes {which}\" in:\n{stdout}");
        return long.Parse(m.Groups[2].Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^Total bytes (sent|received): ([\d,]+)", RegexOptions.Multiline)]
    private static partial Regex TotalBytes();
}
