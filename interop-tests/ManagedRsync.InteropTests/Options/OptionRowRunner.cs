using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Options;

/// <summary>The outcome of one row: does mrsync match stock (or refuse by name), and if not, why, in one line and in full.</summary>
public sealed record RowResult(OptionRow Row, bool Matches, string Reason, string Detail);

/// <summary>
/// Runs one <see cref="OptionRow"/> through stock rsync and mrsync against the same <see cref="RecordingDaemon"/>
/// and compares what each sent, or checks that mrsync refused the option by name with exit 4.
/// </summary>
public sealed partial class OptionRowRunner
{
    private readonly RecordingDaemon _daemon;
    private readonly string _files;
    private readonly string _rows;

    /// <param name="root">A scratch directory: the shared fixture files go in root/files, each row's own in root/rows.</param>
    public OptionRowRunner(RecordingDaemon daemon, string root)
    {
        _daemon = daemon;
        _files = Path.Combine(root, "files");
        _rows = Path.Combine(root, "rows");
        CreateFiles(_files);
    }

    /// <summary>The files the catalog's samples name ({files}/src, excludes, lists, password, ...), under <paramref name="files"/>.</summary>
    internal static void CreateFiles(string files)
    {
        Filters.StockRsyncRunner.CreateTree(Path.Combine(files, "src"), ["a.txt", "x.o", "keep", "sub/b.txt"]);
        // A name that is not UTF-8 (Latin-1 "café.txt"), as latin1-list names it: pushed byte for byte or not at all.
        RawFiles.Write(Path.Combine(files, "src"), [.. "caf"u8, 0xE9, .. ".txt"u8], "latin-1");
        Directory.CreateDirectory(Path.Combine(files, "home"));
        File.WriteAllText(Path.Combine(files, "excludes"), "*.o\n- tmp/\n");
        File.WriteAllText(Path.Combine(files, "includes"), "keep\n+ sub/\n");
        File.WriteAllText(Path.Combine(files, "list"), "a.txt\nsub/b.txt\n");
        File.WriteAllBytes(Path.Combine(files, "latin1-list"), [.. "a.txt\n"u8, .. "caf"u8, 0xE9, .. ".txt\n"u8]);
        File.WriteAllText(Path.Combine(files, "list0"), "a.txt\0sub/b.txt\0");
        File.WriteAllText(Path.Combine(files, "early"), "early bytes\n");
        string password = Path.Combine(files, "password");
        File.WriteAllText(password, "s3cret pass\n");
        File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private Dictionary<string, string?> Environment() => Environment(_files);

    /// <summary>What both programs run in: HOME under <paramref name="files"/>, free of the RSYNC_* variables that would change what they send.</summary>
    internal static Dictionary<string, string?> Environment(string files) => new()
    {
        ["HOME"] = Path.Combine(files, "home"),
        ["CVSIGNORE"] = "",
        ["USER"] = "tester",
        ["LOGNAME"] = "tester",
        ["RSYNC_PASSWORD"] = null,
        ["RSYNC_PROTECT_ARGS"] = null,
        ["RSYNC_OLD_ARGS"] = null,
        ["RSYNC_ICONV"] = null,
        ["RSYNC_CHECKSUM_LIST"] = null,
        ["RSYNC_COMPRESS_LIST"] = null,
        ["RSYNC_RSH"] = null,
        ["RSYNC_PROXY"] = null,
        ["RSYNC_CONNECT_PROG"] = null,
        ["RSYNC_PARTIAL_DIR"] = null,
    };

    public async Task<RowResult> RunAsync(OptionRow row, int index)
    {
        string rowDir = Path.Combine(_rows, index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        string dst = Path.Combine(rowDir, "dst");
        Directory.CreateDirectory(dst);
        string[] options = row.Options.Select(o => o.Replace("{files}", _files, StringComparison.Ordinal)
            .Replace("{out}", rowDir, StringComparison.Ordinal)).ToArray();
        string prefix = row.Auth ? RecordingDaemon.AuthPrefix : "";
        string stockModule = $"{prefix}row{index}stock", oursModule = $"{prefix}row{index}ours";
        List<string> CommandLine(string module) => row.NoPaths ? [.. options]
            : row.Push ? [.. options, Path.Combine(_files, "src") + "/", _daemon.Url(module)]
            : [.. options, _daemon.Url(module), dst + "/"];

        // Paths, module names and the port differ from run to run; messages are compared and reported without them.
        string port = _daemon.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ProcessResult Plain(ProcessResult r)
        {
            string Clean(string text) => text.Replace(rowDir, "{out}", StringComparison.Ordinal)
                .Replace(_files, "{files}", StringComparison.Ordinal).Replace(stockModule, "MOD", StringComparison.Ordinal)
                .Replace(oursModule, "MOD", StringComparison.Ordinal).Replace(port, "PORT", StringComparison.Ordinal);
            return r with { Stdout = Clean(r.Stdout), Stderr = Clean(r.Stderr) };
        }

        // mrsync first: an option it refuses by name needs no comparison, and stock need not run for it.
        var environment = Environment();
        ProcessResult ours = Plain(await MrsyncProcess.RunAsync(CommandLine(oursModule), environment));
        if (row.Excluded is null && Refused(row, ours))
            return new RowResult(row, true, "refused by name", "");
        ProcessResult? stock = row.Excluded is null ? Plain(await ToolProcess.RunAsync("rsync", CommandLine(stockModule), environment)) : null;
        ClientRecord? stockRecord = stock is null ? null : await _daemon.TakeAsync(stockModule);
        ClientRecord? oursRecord = await _daemon.TakeAsync(oursModule);
        return Classify(row, stock, stockRecord, ours, oursRecord);
    }

    private static bool Refused(OptionRow row, ProcessResult ours) => ours.ExitCode == 4 && row.Names.Any(n => Names(ours.Stderr, n));

    private static RowResult Classify(OptionRow row, ProcessResult? stock, ClientRecord? stockRecord,
        ProcessResult ours, ClientRecord? oursRecord)
    {
        string detail = Detail(stock, stockRecord, ours, oursRecord);
        RowResult Match(string why) => new(row, true, why, detail);
        RowResult Mismatch(string why) => new(row, false, why, detail);

        bool refused = Refused(row, ours);
        if (row.Excluded is { } excluded)
        {
            return excluded.Expected switch
            {
                ExpectedAlone.Refused when refused => Match("refused by name"),
                ExpectedAlone.Refused => Mismatch($"excluded ({excluded.Reason}) and must be refused by name with exit 4; mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}"),
                ExpectedAlone.PrintsHelp when ours.ExitCode == 0 && ours.Stdout.Contains("Usage:", StringComparison.Ordinal) && oursRecord is null => Match("prints the usage"),
                ExpectedAlone.PrintsHelp => Mismatch($"must print the usage and exit 0; mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}"),
                ExpectedAlone.PrintsVersion when ours.ExitCode == 0 && ours.Stdout.Contains("protocol version", StringComparison.Ordinal) && oursRecord is null => Match("prints the version"),
                _ => Mismatch($"must print the version and exit 0; mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}"),
            };
        }
        if (refused)
            return Match("refused by name");
        if (ours.ExitCode == 4)
            return Mismatch($"mrsync exit 4 without naming {string.Join(" or ", row.Names)}: {FirstLine(ours.Stderr)}");
        if (stockRecord is not null && oursRecord is not null)
        {
            string[] left = stockRecord.Render(withoutIncRecurse: true).Split('\n'), right = oursRecord.Render(withoutIncRecurse: true).Split('\n');
            if (left.SequenceEqual(right))
                return Match("identical");
            int at = Enumerable.Range(0, Math.Max(left.Length, right.Length))
                .First(i => i >= left.Length || i >= right.Length || left[i] != right[i]);
            return Mismatch($"stock sent \"{Line(left, at)}\", mrsync \"{Line(right, at)}\"");
        }
        if (stockRecord is null && oursRecord is null)
        {
            if (stock!.ExitCode == ours.ExitCode && FirstLine(stock.Stderr) == FirstLine(ours.Stderr))
                return Match("same error before connecting");
            return Mismatch($"neither connected; stock exit {stock.ExitCode}: {FirstLine(stock.Stderr)}; mrsync exit {ours.ExitCode}: {FirstLine(ours.Stderr)}");
        }
        if (stockRecord is not null)
            return Mismatch($"mrsync did not connect: exit {ours.ExitCode}: {FirstLine(ours.Stderr)}");
        return Mismatch($"stock stopped before connecting (exit {stock!.ExitCode}: {FirstLine(stock.Stderr)}), mrsync connected");
    }

    // The name as a whole word: "--del" is not named by "--delete".
    private static bool Names(string message, string name) =>
        Regex.IsMatch(message, @"(?<![\w-])" + Regex.Escape(name) + @"(?![\w-])");

    private static string Line(string[] lines, int at) => at < lines.Length ? lines[at] : "(nothing)";

    // The first line of an error, with mrsync's program name read as rsync's (the messages are compared, not the name).
    private static string FirstLine(string stderr)
    {
        string line = stderr.Split('\n')[0];
        return line.StartsWith("mrsync:", StringComparison.Ordinal) ? "rsync:" + line[7..] : line;
    }

    // Both runs side by side: exit codes, first error lines, and the two records with differing lines marked.
    private static string Detail(ProcessResult? stock, ClientRecord? stockRecord, ProcessResult ours, ClientRecord? oursRecord)
    {
        string[] left = stockRecord?.Render(withoutIncRecurse: true).TrimEnd('\n').Split('\n') ?? ["(no session)"];
        string[] right = oursRecord?.Render(withoutIncRecurse: true).TrimEnd('\n').Split('\n') ?? ["(no session)"];
        int width = Math.Max(24, left.Max(l => l.Length));
        var text = new StringBuilder();
        text.Append("  ").Append("stock rsync".PadRight(width)).Append(" | mrsync\n");
        text.Append("  ").Append((stock is null ? "(not run)" : $"exit {stock.ExitCode}").PadRight(width)).Append(" | exit ").Append(ours.ExitCode).Append('\n');
        text.Append("  ").Append((stock is null ? "" : FirstLine(stock.Stderr)).PadRight(width)).Append(" | ").Append(FirstLine(ours.Stderr)).Append('\n');
        for (int i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            string l = i < left.Length ? left[i] : "", r = i < right.Length ? right[i] : "";
            text.Append(l == r ? "  " : "! ").Append(l.PadRight(width)).Append(" | ").Append(r).Append('\n');
        }
        return text.ToString();
    }
}
