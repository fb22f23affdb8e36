using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Options;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// Runs one <see cref="OptionRow"/> of the option catalog through stock rsync and mrsync with a remote-shell address
/// (<c>USER@HOST:PATH</c>) and a <see cref="RecordingShell"/> as $RSYNC_RSH (or as -e where the row gives -e), and
/// compares the two remote commands word for word, or checks that mrsync refused the option by name with exit 4.
/// </summary>
public sealed partial class ShellRowRunner
{
    /// <summary>A push's remote destination and a pull's remote source: a space, a quote, '$' and wildcards to quote.</summary>
    public const string PushDestination = "tester@fakehost:/srv/back up/it's [x]/";
    public const string PullSource = "tester@fakehost:/srv/data $HOME/*.txt";

    private readonly string _files;
    private readonly string _rows;
    private readonly string _script;

    public ShellRowRunner(string root)
    {
        _files = Path.Combine(root, "files");
        _rows = Path.Combine(root, "rows");
        _script = RecordingShell.WriteScript(Path.Combine(root, "record-shell"));
        OptionRowRunner.CreateFiles(_files);
    }

    /// <summary>The environment both programs run in: the option test's, with the recording shell as $RSYNC_RSH.</summary>
    public Dictionary<string, string?> Environment(string shell)
    {
        Dictionary<string, string?> env = OptionRowRunner.Environment(_files);
        env["RSYNC_RSH"] = shell;
        return env;
    }

    public Task<RowResult> RunAsync(OptionRow row, int index)
    {
        string rowDir = RowDirectory(index);
        string dst = Path.Combine(rowDir, "dst");
        Directory.CreateDirectory(dst);
        return CompareAsync(row, rowDir, shell =>
        {
            // The catalog's -e sample becomes the recording shell with words of its own to split.
            string rsh = shell + " -o 'ControlPath none' -p 22";
            string[] options = row.Options.Select(o => o.Replace("{files}", _files, StringComparison.Ordinal)
                .Replace("{out}", rowDir, StringComparison.Ordinal)
                .Replace("--rsh=" + OptionCatalog.RshSample, "--rsh=" + rsh, StringComparison.Ordinal)).ToArray();
            for (int i = 1; i < options.Length; i++)
            {
                if (options[i] == OptionCatalog.RshSample && options[i - 1] == "-e")
                    options[i] = rsh;
            }
            return row.NoPaths ? [.. options]
                : row.Push ? [.. options, Path.Combine(_files, "src") + "/", PushDestination]
                : [.. options, PullSource, dst + "/"];
        }, environment: null);
    }

    /// <summary>
    /// Runs a whole command line of its own through both programs: "{shell}" in a word is the recording shell,
    /// "{files}" the shared files, "{out}" the row's directory; <paramref name="environment"/> adds to the common one.
    /// </summary>
    public Task<RowResult> RunCommandAsync(IReadOnlyList<string> args, int index, IReadOnlyDictionary<string, string?>? environment = null)
    {
        string rowDir = RowDirectory(index);
        Directory.CreateDirectory(Path.Combine(rowDir, "dst"));
        var row = new OptionRow(true, args, []);
        return CompareAsync(row, rowDir, shell => [.. args.Select(a => a.Replace("{shell}", shell, StringComparison.Ordinal)
            .Replace("{files}", _files, StringComparison.Ordinal).Replace("{out}", rowDir, StringComparison.Ordinal))], environment);
    }

    private string RowDirectory(int index) => Path.Combine(_rows, index.ToString(CultureInfo.InvariantCulture));

    private async Task<RowResult> CompareAsync(OptionRow row, string rowDir, Func<string, List<string>> commandLine,
        IReadOnlyDictionary<string, string?>? environment)
    {
        var stockShell = new RecordingShell(Path.Combine(rowDir, "stock"), _script);
        var oursShell = new RecordingShell(Path.Combine(rowDir, "ours"), _script);
        Dictionary<string, string?> Env(RecordingShell shell)
        {
            var env = Environment(shell.Path);
            foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
                env[key] = value?.Replace("{shell}", shell.Path, StringComparison.Ordinal);
            return env;
        }

        ProcessResult Plain(ProcessResult r, RecordingShell shell)
        {
            string Clean(string text) => text.Replace(shell.Path, "{shell}", StringComparison.Ordinal)
                .Replace(rowDir, "{out}", StringComparison.Ordinal).Replace(_files, "{files}", StringComparison.Ordinal);
            return r with { Stdout = Clean(r.Stdout), Stderr = Clean(r.Stderr) };
        }

        // mrsync first: an option it refuses by name needs no comparison.
        ProcessResult ours = Plain(await MrsyncProcess.RunAsync(commandLine(oursShell.Path), Env(oursShell)), oursShell);
        if (Refused(row, ours))
            return new RowResult(row, true, "refused by name", "");
        if (row.Excluded is { } excluded)
            return Excluded(row, excluded, ours, oursShell.Take());
        ProcessResult stock = Plain(await ToolProcess.RunAsync("rsync", commandLine(stockShell.Path), Env(stockShell)), stockShell);
        return Classify(row, stock, Clean(stockShell.Take(), stockShell), ours, Clean(oursShell.Take(), oursShell));
    }

    // The record with the row's own paths written as placeholders.
    private ShellRecord? Clean(ShellRecord? record, RecordingShell shell)
    {
        if (record is null)
            return null;
        string Words(string w) => w.Replace(shell.Path, "{shell}", StringComparison.Ordinal)
            .Replace(_rows, "{rows}", StringComparison.Ordinal).Replace(_files, "{files}", StringComparison.Ordinal);
        return new ShellRecord([.. record.Argv.Select(Words)], record.Secluded?.Select(Words).ToList());
    }

    private static bool Refused(OptionRow row, ProcessResult ours) => ours.ExitCode == 4 && row.Names.Any(n => Names(ours.Stderr, n));

    private static RowResult Excluded(OptionRow row, Exclusion excluded, ProcessResult ours, ShellRecord? record)
    {
        bool ok = excluded.Expected switch
        {
            ExpectedAlone.PrintsHelp => ours.ExitCode == 0 && ours.Stdout.Contains("Usage:", StringComparison.Ordinal) && record is null,
            ExpectedAlone.PrintsVersion => ours.ExitCode == 0 && ours.Stdout.Contains("protocol version", StringComparison.Ordinal) && record is null,
            _ => false,
        };
        return new RowResult(row, ok, ok ? excluded.Expected.ToString() : $"excluded ({excluded.Reason}); mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}", "");
    }

    private static RowResult Classify(OptionRow row, ProcessResult stock, ShellRecord? stockRecord, ProcessResult ours, ShellRecord? oursRecord)
    {
        string detail = Detail(stock, stockRecord, ours, oursRecord);
        if (ours.ExitCode == 4)
            return new(row, false, $"mrsync exit 4 without naming {string.Join(" or ", row.Names)}: {FirstLine(ours.Stderr)}", detail);
        if (stockRecord is not null && oursRecord is not null)
        {
            string[] left = stockRecord.Render(withoutIncRecurse: true).Split('\n'), right = oursRecord.Render(withoutIncRecurse: true).Split('\n');
            if (left.SequenceEqual(right))
                return new(row, true, "identical", detail);
            int at = Enumerable.Range(0, Math.Max(left.Length, right.Length))
                .First(i => i >= left.Length || i >= right.Length || left[i] != right[i]);
            return new(row, false, $"stock ran \"{Line(left, at)}\", mrsync \"{Line(right, at)}\"", detail);
        }
        if (stockRecord is null && oursRecord is null)
        {
            if (stock.ExitCode == ours.ExitCode && FirstLine(stock.Stderr) == FirstLine(ours.Stderr))
                return new(row, true, "same error before starting the shell", detail);
            return new(row, false, $"neither started the shell; stock exit {stock.ExitCode}: {FirstLine(stock.Stderr)}; mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}", detail);
        }
        return stockRecord is not null
            ? new(row, false, $"mrsync did not start the shell: exit {ours.ExitCode}: {FirstLine(ours.Stderr)}", detail)
            : new(row, false, $"stock stopped before starting the shell (exit {stock.ExitCode}: {FirstLine(stock.Stderr)}), mrsync started it", detail);
    }

    // The name as a whole word: "--del" is not named by "--delete".
    private static bool Names(string message, string name) =>
        Regex.IsMatch(message, @"(?<![\w-])" + Regex.Escape(name) + @"(?![\w-])");

    private static string Line(string[] lines, int at) => at < lines.Length ? lines[at] : "(nothing)";

    // The first line of an error without the program's name: stock prints some of start_client's messages bare
    // ("The --password-file option may only be used ..."), mrsync prefixes its name to every one.
    private static string FirstLine(string stderr)
    {
        string line = stderr.Split('\n')[0];
        foreach (string prefix in new[] { "mrsync: ", "rsync: " })
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return line[prefix.Length..];
        }
        return line;
    }

    private static string Detail(ProcessResult stock, ShellRecord? stockRecord, ProcessResult ours, ShellRecord? oursRecord)
    {
        string[] left = stockRecord?.Render(withoutIncRecurse: true).TrimEnd('\n').Split('\n') ?? ["(no shell)"];
        string[] right = oursRecord?.Render(withoutIncRecurse: true).TrimEnd('\n').Split('\n') ?? ["(no shell)"];
        int width = Math.Max(24, left.Max(l => l.Length));
        var text = new StringBuilder();
        text.Append("  ").Append("stock rsync".PadRight(width)).Append(" | mrsync\n");
        text.Append("  ").Append($"exit {stock.ExitCode}".PadRight(width)).Append(" | exit ").Append(ours.ExitCode).Append('\n');
        text.Append("  ").Append(FirstLine(stock.Stderr).PadRight(width)).Append(" | ").Append(FirstLine(ours.Stderr)).Append('\n');
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string l = i < left.Length ? left[i] : "", r = i < right.Length ? right[i] : "";
            text.Append(l == r ? "  " : "! ").Append(l.PadRight(width)).Append(" | ").Append(r).Append('\n');
        }
        return text.ToString();
    }
}
