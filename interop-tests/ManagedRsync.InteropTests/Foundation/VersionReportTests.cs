using System.Text.Json;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Options;
using ManagedRsync.Daemon;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// `-V` and `-VV`: the formatter, given stock rsync's own facts (read from the installed stock rsync's `-V`), prints
/// stock's `-V` and `-VV` byte for byte; mrsync's JSON has stock's keys in stock's order; and what it states is true:
/// a capability is "no" exactly when the option that needs it is refused with exit 4, and the lists are the ones the
/// session offers a daemon.
/// </summary>
public sealed class VersionReportTests
{
    private static readonly string Rsync = ToolProcess.FindOnPath("rsync")
        ?? throw new InvalidOperationException("stock rsync is not installed (apt-get install -y rsync): the version report is compared with its own");

    [Fact]
    public async Task FormatterPrintsStocksReportFromStocksFacts()
    {
        string text = (await ToolProcess.RunAsync(Rsync, ["-V"])).Stdout;
        string json = (await ToolProcess.RunAsync(Rsync, ["-VV"])).Stdout;
        VersionReport.Facts stock = ParseStockText(text);
        Assert.Equal(text, VersionReport.Text(stock));
        Assert.Equal(json, VersionReport.Json(stock));
    }

    [Fact]
    public async Task OurJsonHasStocksKeysInStocksOrder()
    {
        using JsonDocument stock = JsonDocument.Parse((await ToolProcess.RunAsync(Rsync, ["-VV"])).Stdout);
        ProcessResult ours = await RunMrsyncAsync(["-VV"]);
        Assert.Equal(0, ours.ExitCode);
        using JsonDocument mine = JsonDocument.Parse(ours.Stdout);
        Assert.Equal(Keys(stock.RootElement), Keys(mine.RootElement));
        foreach (string section in new[] { "capabilities", "optimizations" })
        {
            Assert.Equal(Keys(stock.RootElement.GetProperty(section)), Keys(mine.RootElement.GetProperty(section)));
            foreach (JsonProperty p in mine.RootElement.GetProperty(section).EnumerateObject())
            {
                string theirs = Kind(stock.RootElement.GetProperty(section).GetProperty(p.Name));
                // Same kind of value; a stock string ("optional") may be our false (not supported at all).
                Assert.True(Kind(p.Value) == theirs || (p.Value.ValueKind == JsonValueKind.False && theirs == "string"),
                    $"{section}.{p.Name}: {p.Value} where stock has a {theirs}");
            }
        }
        Assert.Equal(await RunMrsyncTextAsync(["--version", "--version"]), ours.Stdout);
        Assert.StartsWith("mrsync  version ", await RunMrsyncTextAsync(["-V"]), StringComparison.Ordinal);
    }

    // Each capability that an rsync option needs, and that option.
    [Theory]
    [InlineData("symlinks", "-l")]
    [InlineData("hardlinks", "-H")]
    [InlineData("atimes", "--atimes")]
    [InlineData("batchfiles", "--write-batch=F")]
    [InlineData("inplace", "--inplace")]
    [InlineData("append", "--append")]
    [InlineData("ACLs", "-A")]
    [InlineData("xattrs", "-X")]
    [InlineData("secluded_args", "-s")]
    [InlineData("iconv", "--iconv=utf8")]
    [InlineData("prealloc", "--preallocate")]
    [InlineData("stop_at", "--stop-at=23:59")]
    [InlineData("crtimes", "-N")]
    public async Task CapabilityIsTrueExactlyWhenItsOptionIsHonoured(string capability, string option)
    {
        using JsonDocument mine = JsonDocument.Parse((await RunMrsyncAsync(["-VV"])).Stdout);
        // A word before the name ("optional secluded-args") is a string in the JSON: claimed too, as stock's is.
        bool claimed = mine.RootElement.GetProperty("capabilities").GetProperty(capability).ValueKind is JsonValueKind.True or JsonValueKind.String;
        bool refused;
        try
        {
            OptionParser.Parse([option, "src/", "host::module"]);
            refused = false;
        }
        catch (OptionException e)
        {
            refused = true;
            Assert.True(e.ExitCode is RsyncExitCode.Unsupported or RsyncExitCode.Syntax, e.Message);
        }
        Assert.Equal(!refused, claimed);
    }

    [Fact]
    public async Task ListsAreWhatTheSessionOffers()
    {
        using JsonDocument mine = JsonDocument.Parse((await RunMrsyncAsync(["-VV"])).Stdout);
        Assert.Equal([.. SessionSetup.Checksums, "none"], Strings(mine.RootElement.GetProperty("checksum_list")));
        Assert.Equal([.. SessionSetup.Compressions, "none"], Strings(mine.RootElement.GetProperty("compress_list")));
        Assert.Equal(AuthDigestNegotiation.DefaultPreference.Select(AuthDigestNegotiation.Name), Strings(mine.RootElement.GetProperty("daemon_auth_list")));
        Assert.Equal("32.0", mine.RootElement.GetProperty("protocol").GetString());
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        _ => e.ValueKind.ToString(),
    };

    private static string[] Keys(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name)];

    private static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];

    private static async Task<string> RunMrsyncTextAsync(string[] args) => (await RunMrsyncAsync(args)).Stdout;

    private static async Task<ProcessResult> RunMrsyncAsync(string[] args)
    {
        string? binary = Environment.GetEnvironmentVariable("MRSYNC_BIN");
        if (!string.IsNullOrEmpty(binary))
            return await ToolProcess.RunAsync(binary, args);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await Cli.Commands.RsyncCommand.RunAsync(args, new CliContext { Out = stdout, Error = stderr, In = TextReader.Null });
        return new ProcessResult("mrsync " + string.Join(' ', args), code, stdout.ToString(), stderr.ToString());
    }

    // Stock's -V text, read back into the facts it was printed from.
    private static VersionReport.Facts ParseStockText(string text)
    {
        string[] lines = text.Split('\n');
        string version = lines[0].Split("  ")[1]["version ".Length..];
        List<string> Words(string header)
        {
            int at = Array.IndexOf(lines, header + ":");
            var words = new List<string>();
            for (int i = at + 1; i < lines.Length && lines[i].StartsWith("    ", StringComparison.Ordinal); i++)
                words.AddRange(lines[i].Trim().Split(", ").Select(w => w.TrimEnd(',')));
            return words;
        }
        string[] List(string header) => lines[Array.IndexOf(lines, header + ":") + 1].Trim().Split(' ');
        int footer = Array.IndexOf(lines, "", Array.IndexOf(lines, "Daemon auth list:"));
        return new VersionReport.Facts(
            Program: "rsync",
            Version: version,
            Copyright: lines[1]["Copyright ".Length..],
            Url: lines[2]["Web site: ".Length..],
            Capabilities: Words("Capabilities"),
            Optimizations: Words("Optimizations"),
            Checksums: List("Checksum list"),
            Compressions: List("Compress list"),
            AuthDigests: List("Daemon auth list"),
            License: "GPLv3",
            Caveat: "rsync comes with ABSOLUTELY NO WARRANTY",
            TextFooter: "\n" + string.Join('\n', lines[(footer + 1)..]));
    }
}
