using System.Globalization;
using System.Net.Sockets;
using ManagedRsync.Filters;

namespace ManagedRsync.Cli.Options;

/// <summary>
/// The rsync options mrsync accepts (rsync options.c: long_options), with rsync's implications applied on the spot.
/// </summary>
internal static class OptionTable
{
    public static readonly IReadOnlyList<OptionSpec> All =
    [
        Flag(["verbose"], 'v', o => o.Verbose++, o => o.Verbose = 0),
        Flag(["quiet"], 'q', o => o.Quiet = true, o => o.Quiet = false),
        Flag(["archive"], 'a', SetArchive),
        Flag(["recursive"], 'r', o => o.Recursive = true, o => o.Recursive = false),
        Flag(["links"], 'l', o => o.Links = true, o => o.Links = false),
        Flag(["perms"], 'p', o => o.Perms = true, o => o.Perms = false),
        Flag(["times"], 't', o => o.Times = true, o => o.Times = false),
        Flag(["group"], 'g', o => o.Group = true, o => o.Group = false),
        Flag(["owner"], 'o', o => o.Owner = true, o => o.Owner = false),
        Flag([], 'D', o => o.Devices = o.Specials = true, o => o.Devices = o.Specials = false),
        Flag(["devices"], '\0', o => o.Devices = true, o => o.Devices = false),
        Flag(["specials"], '\0', o => o.Specials = true, o => o.Specials = false),
        Flag(["hard-links"], 'H', o => o.HardLinks = true, o => o.HardLinks = false),
        Flag(["compress"], 'z', o => o.Compress = true, o => o.Compress = false),
        Value(["compress-level"], '\0', (o, v) => o.CompressLevel = v.Int(-1, 22)),
        Value(["compress-choice", "zc"], '\0', (o, v) => o.CompressChoice = v.Required),
        Value(["checksum-choice", "cc"], '\0', (o, v) => o.ChecksumChoice = v.Required),
        Flag(["checksum"], 'c', o => o.Checksum = true, o => o.Checksum = false),
        Flag(["whole-file"], 'W', o => o.WholeFile = true, o => o.WholeFile = false),
        Flag(["delete"], '\0', o => o.Delete = DeleteTiming.Default, o => o.Delete = DeleteTiming.None),
        Flag(["delete-before"], '\0', o => o.Delete = DeleteTiming.Before),
        Flag(["delete-during", "del"], '\0', o => o.Delete = DeleteTiming.During),
        Flag(["delete-delay"], '\0', o => o.Delete = DeleteTiming.Delay),
        Flag(["delete-after"], '\0', o => o.Delete = DeleteTiming.After),
        Flag(["delete-excluded"], '\0', o =>
        {
            o.DeleteExcluded = true;
            if (o.Delete == DeleteTiming.None)
            {
                o.Delete = DeleteTiming.Default;
            }
        }),
        Flag(["delete-missing-args"], '\0', o => o.DeleteMissingArgs = true),
        Value(["exclude"], '\0', (o, v) => o.Filters.Add(new(FilterOptionKind.Exclude, v.Required))),
        Value(["include"], '\0', (o, v) => o.Filters.Add(new(FilterOptionKind.Include, v.Required))),
        Value(["filter"], 'f', (o, v) => o.Filters.Add(new(FilterOptionKind.Filter, v.Required))),
        Value(["exclude-from"], '\0', (o, v) => o.Filters.Add(new(FilterOptionKind.ExcludeFrom, v.Required))),
        Value(["include-from"], '\0', (o, v) => o.Filters.Add(new(FilterOptionKind.IncludeFrom, v.Required))),
        Flag(["cvs-exclude"], 'C', o => o.Filters.Add(new(FilterOptionKind.CvsExclude, ""))),
        // rsync options.c case 'F': each -F adds to the list where it stands (once: dir-merge .rsync-filter; twice:
        // also exclude the .rsync-filter files themselves).
        Flag([], 'F', o => o.Filters.Add(new(FilterOptionKind.FilterShortcut, ""))),
        Value(["files-from"], '\0', (o, v) => o.FilesFrom = v.Required),
        Flag(["from0"], '0', o => o.From0 = true, o => o.From0 = false),
        Flag(["relative"], 'R', o => o.Relative = true, o => o.Relative = false),
        Flag(["dry-run"], 'n', o => o.DryRun = true),
        Flag(["stats"], '\0', o => o.Stats = true),
        Flag(["progress"], '\0', o => o.Progress = true, o => o.Progress = false),
        Flag([], 'P', o => o.Partial = o.Progress = true),
        Flag(["itemize-changes"], 'i', o => o.ItemizeChanges++, o => o.ItemizeChanges = 0),
        Flag(["numeric-ids"], '\0', o => o.NumericIds = true, o => o.NumericIds = false),
        Value(["timeout"], '\0', (o, v) => o.Timeout = v.Int(0)),
        Value(["contimeout"], '\0', (o, v) => o.ConnectTimeout = v.Int(0)),
        Value(["bwlimit"], '\0', (o, v) => o.BandwidthLimit = ParseRate(v)),
        Value(["port"], '\0', (o, v) => o.Port = v.Int(1, 65535)),
        Value(["password-file"], '\0', (o, v) => o.PasswordFile = v.Required),
        Value(["protocol"], '\0', (o, v) => o.Protocol = v.Int(0)),
        Flag(["list-only"], '\0', o => o.ListOnly = true),
        Value(["address"], '\0', (o, v) => o.Address = v.Required),
        Flag(["ipv4"], '4', o => o.AddressFamily = AddressFamily.InterNetwork),
        Flag(["ipv6"], '6', o => o.AddressFamily = AddressFamily.InterNetworkV6),
        Value(["rsh"], 'e', (o, v) => o.RemoteShell = v.Required),
        Flag(["partial"], '\0', o => o.Partial = true, o => o.Partial = false),
        Value(["temp-dir"], 'T', (o, v) => o.TempDir = v.Required),
        Flag(["motd"], '\0', o => o.Motd = true, o => o.Motd = false),
        Flag(["human-readable"], 'h', o => o.HumanReadable++, o => o.HumanReadable = 0),
        Flag(["help"], '\0', o => o.ShowHelp = true),
        Flag(["version"], 'V', o => o.ShowVersion = true),
    ];

    // rsync options.c: -a is -rlptgoD.
    private static void SetArchive(RsyncOptions o)
    {
        o.Archive = o.Recursive = o.Links = o.Perms = o.Times = o.Group = o.Owner = o.Devices = o.Specials = true;
    }

    private static OptionSpec Flag(string[] longNames, char shortName, Action<RsyncOptions> set, Action<RsyncOptions>? negate = null) =>
        new(longNames, shortName, (o, _) => set(o), TakesValue: false, negate);

    private static OptionSpec Value(string[] longNames, char shortName, Action<RsyncOptions, OptionValue> set) =>
        new(longNames, shortName, set, TakesValue: true);

    // rsync options.c: parse_size_arg for --bwlimit: a number (fractions allowed) with an optional K/M/G suffix
    // (powers of 1024, KiB when none; a "B" suffix means bytes), where "0" means no limit.
    private static long ParseRate(OptionValue v)
    {
        string text = v.Required.Trim();
        int end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
        {
            end++;
        }
        if (end == 0 || !double.TryParse(text.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
        {
            throw new OptionException($"Invalid --bwlimit value: {v.Text}");
        }
        double unit = text[end..].ToUpperInvariant() switch
        {
            "" or "K" or "KB" or "KIB" => 1024,
            "B" => 1,
            "M" or "MB" or "MIB" => 1024 * 1024,
            "G" or "GB" or "GIB" => 1024 * 1024 * 1024,
            _ => throw new OptionException($"Invalid --bwlimit value: {v.Text}"),
        };
        return (long)(number * unit);
    }
}
