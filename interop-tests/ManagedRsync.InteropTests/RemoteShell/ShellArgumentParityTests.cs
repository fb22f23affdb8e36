using System.Collections.Concurrent;
using System.Text;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.InteropTests.Options;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// The remote command a client builds (issue 14): every row of the option catalog (stock's --help read at test time,
/// every --no-OPTION, the hidden aliases, the combinations and the old-protocol rows), in push and pull position with
/// a remote-shell address, run through stock rsync 3.5.0 and mrsync with a <see cref="RecordingShell"/>: mrsync must
/// start the shell with exactly the words stock starts it with (shell words, -l USER, host, rsync path, server
/// arguments, ".", the quoted paths) and send the same secluded words, or refuse the option by name with exit 4.
/// </summary>
public sealed class ShellArgumentParityTests
{
    [Fact]
    public async Task EveryOptionStartsTheRemoteShellAsStockDoesOrIsRefusedByName()
    {
        var help = await StockHelp.ReadAsync();
        IReadOnlyList<OptionRow> rows = OptionCatalog.Rows(help, new List<string>());
        var results = await RunAsync(rows);
        var mismatches = results.Where(r => !r.Matches).OrderBy(r => r.Row.Key, StringComparer.Ordinal).ToList();
        string summary = string.Join(", ", results.Where(r => r.Matches).GroupBy(r => r.Reason)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        var message = new StringBuilder($"{mismatches.Count} of {rows.Count} rows mismatch ({summary}):\n");
        foreach (RowResult r in mismatches)
            message.Append(r.Row.Key).Append(" | ").Append(r.Reason).Append('\n').Append(r.Detail).Append('\n');
        Assert.True(mismatches.Count == 0, message.ToString());
        // The comparison ran: most rows start the shell in both programs and match word for word.
        Assert.True(results.Count(r => r.Reason == "identical") > rows.Count / 3, message.ToString());
    }

    /// <summary>Runs <paramref name="rows"/> in parallel, each in its own directory under a scratch root.</summary>
    internal static async Task<IReadOnlyList<RowResult>> RunAsync(IReadOnlyList<OptionRow> rows)
    {
        string root = StockRsyncRunner.CreateTempDirectory("shellargs");
        var results = new ConcurrentBag<RowResult>();
        try
        {
            var runner = new ShellRowRunner(root);
            await Parallel.ForEachAsync(rows.Select((row, index) => (row, index)),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(8, Environment.ProcessorCount * 4) },
                async (item, _) => results.Add(await runner.RunAsync(item.row, item.index)));
        }
        finally
        {
            await Fixtures.ToolProcess.RunAsync("rm", ["-rf", root]);
        }
        return [.. results];
    }
}
