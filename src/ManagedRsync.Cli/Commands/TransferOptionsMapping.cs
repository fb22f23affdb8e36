using ManagedRsync.Transfer;

namespace ManagedRsync.Cli.Commands;

/// <summary>The parsed command line as the library's <see cref="TransferOptions"/>.</summary>
internal static class TransferOptionsMapping
{
    public static TransferOptions ToTransferOptions(this RsyncOptions o) => new()
    {
        Verbose = o.Verbose,
        Quiet = o.Quiet,
        Recursive = o.Recursive || o.Archive,
        Links = o.Links || o.Archive,
        Perms = o.Perms || o.Archive,
        Times = o.Times || o.Archive,
        Group = o.Group || o.Archive,
        Owner = o.Owner || o.Archive,
        Devices = o.Devices || o.Archive,
        Specials = o.Specials || o.Archive,
        HardLinks = o.HardLinks,
        Relative = o.Relative,
        AlwaysChecksum = o.Checksum,
        WholeFile = o.WholeFile ?? false,
        Compress = o.Compress,
        CompressLevel = o.CompressLevel,
        CompressChoice = o.CompressChoice,
        ChecksumChoice = o.ChecksumChoice,
        Delete = o.Delete switch
        {
            DeleteTiming.None => DeleteMode.None,
            DeleteTiming.Before => DeleteMode.Before,
            DeleteTiming.During => DeleteMode.During,
            DeleteTiming.Delay => DeleteMode.Delay,
            DeleteTiming.After => DeleteMode.After,
            _ => DeleteMode.Default,
        },
        DeleteExcluded = o.DeleteExcluded,
        DeleteMissingArgs = o.DeleteMissingArgs,
        DryRun = o.DryRun,
        NumericIds = o.NumericIds,
        ItemizeChanges = o.ItemizeChanges > 0,
        Stats = o.Stats,
        Progress = o.Progress,
        Timeout = o.Timeout ?? 0,
        BandwidthLimit = (int)Math.Min(o.BandwidthLimit ?? 0, int.MaxValue),
        Protocol = o.Protocol ?? 32,
        FilterRules = SimpleFilterRules(o),
    };

    // --exclude/--include go to the sender as "- PATTERN" / "+ PATTERN" (rsync exclude.c: send_filter_list); the
    // other filter forms need the filter engine.
    private static List<string> SimpleFilterRules(RsyncOptions o)
    {
        var rules = new List<string>();
        foreach (var filter in o.Filters)
        {
            rules.Add(filter.Option switch
            {
                FilterOption.Exclude => "- " + filter.Value,
                FilterOption.Include => "+ " + filter.Value,
                _ => throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported,
                    $"--{filter.Option.ToString().ToLowerInvariant()} is not supported here yet"),
            });
        }
        return rules;
    }
}
