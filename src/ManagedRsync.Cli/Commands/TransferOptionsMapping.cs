using ManagedRsync.Filters;
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
        Delete = o.Delete,
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
        FilterRules = FilterRules(o),
    };

    // rsync exclude.c: send_filter_list — a receiving client sends every rule; the filter engine gives their wire form.
    private static List<string> FilterRules(RsyncOptions o)
    {
        if (o.Filters.Count == 0)
            return [];
        var builder = new FilterListBuilder { DeleteExcluded = o.DeleteExcluded, From0 = o.From0 };
        foreach (var filter in o.Filters)
        {
            builder.Add(filter.Option switch
            {
                FilterOption.Exclude => FilterOptionKind.Exclude,
                FilterOption.Include => FilterOptionKind.Include,
                FilterOption.Filter => FilterOptionKind.Filter,
                FilterOption.ExcludeFrom => FilterOptionKind.ExcludeFrom,
                _ => FilterOptionKind.IncludeFrom,
            }, filter.Value);
        }
        var wire = builder.Build().GetWireRules(o.Protocol ?? 32, localIsSender: false, deleteMode: o.Delete != DeleteTiming.None);
        return wire is null ? [] : wire.Select(rule => System.Text.Encoding.UTF8.GetString(rule)).ToList();
    }
}
