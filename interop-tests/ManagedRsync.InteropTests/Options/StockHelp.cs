using System.Text.RegularExpressions;

namespace ManagedRsync.InteropTests.Options;

/// <summary>One line of the option table in stock rsync's --help: its names and the placeholder of its value, if any.</summary>
/// <param name="Names">Every spelling on the line, long ("--name") and short ("-x").</param>
/// <param name="Value">The value placeholder ("FILE" of "--files-from=FILE"), null for a flag.</param>
public sealed record HelpEntry(IReadOnlyList<string> Names, string? Value)
{
    /// <summary>The first long name without its dashes ("block-size"), or the short letter for a short-only line.</summary>
    public string Key => Names.FirstOrDefault(n => n.StartsWith("--", StringComparison.Ordinal))?[2..] ?? Names[0];
}

/// <summary>
/// Reads the option table from the installed stock rsync's --help at test time, so that an option a new rsync adds
/// cannot slip past the differential test (usage.c: usage prints one line per option, names first).
/// </summary>
public static partial class StockHelp
{
    public static async Task<IReadOnlyList<HelpEntry>> ReadAsync()
    {
        var help = await Fixtures.ToolProcess.RunAsync("rsync", ["--help"]);
        Assert.True(help.ExitCode == 0, "rsync --help failed:\n" + help);
        var entries = Parse(help.Stdout);
        Assert.True(entries.Count > 100, "fewer than 100 options read from rsync --help:\n" + help.Stdout);
        return entries;
    }

    public static IReadOnlyList<HelpEntry> Parse(string help)
    {
        var entries = new List<HelpEntry>();
        bool inTable = false;
        foreach (string line in help.Split('\n'))
        {
            if (line == "Options")
            {
                inTable = true;
                continue;
            }
            if (!inTable)
                continue;
            if (line.Length == 0)
                break;
            // Continuation lines ("repeated: --filter=...") are indented; an entry starts in column 0.
            if (line.StartsWith(' '))
                continue;
            var match = EntryPattern().Match(line);
            Assert.True(match.Success, $"unreadable --help line: \"{line}\"");
            string? value = null;
            var names = new List<string>();
            foreach (string raw in match.Groups["names"].Value.Split(", "))
            {
                // "--help, -h (*)": -h is --help only on its own; elsewhere it is --human-readable, listed on its line.
                if (raw.EndsWith(" (*)", StringComparison.Ordinal))
                    continue;
                string name = raw;
                int eq = name.IndexOf('=');
                if (eq > 0)
                {
                    value = name[(eq + 1)..];
                    name = name[..eq];
                }
                names.Add(name);
            }
            entries.Add(new HelpEntry(names, value));
        }
        return entries;
    }

    // Names, then at least two spaces, then the description.
    [GeneratedRegex(@"^(?<names>-\S.*?)\s{2,}\S")]
    private static partial Regex EntryPattern();
}
