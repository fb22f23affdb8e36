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
        CvsExclude = o.Filters.Any(f => f.Option == FilterOptionKind.CvsExclude),
        WholeFile = o.WholeFile ?? false,
        Compress = o.Compress,
        CompressLevel = o.CompressLevel,
        CompressChoice = o.CompressChoice,
        ChecksumChoice = o.ChecksumChoice,
        Delete = o.Delete,
        DeleteExcluded = o.DeleteExcluded,
        DeleteMissingArgs = o.DeleteMissingArgs,
        DryRun = o.DryRun,
        ListOnly = o.ListOnly,
        NumericIds = o.NumericIds,
        ItemizeChanges = o.ItemizeChanges > 0,
        Stats = o.Stats,
        Progress = o.Progress,
        Timeout = o.Timeout ?? 0,
        BandwidthLimit = (int)Math.Min(o.BandwidthLimit ?? 0, int.MaxValue),
        Protocol = o.Protocol ?? 32,
    };

    /// <summary>The filter list of the command line, or null when it has no filter option. Rule files named "-" are
    /// read from the context's stdin; -C reads $HOME/.cvsignore and $CVSIGNORE from the context's environment.</summary>
    public static FilterList? BuildFilters(this RsyncOptions o, CliContext context) =>
        o.Filters.Count == 0
            ? null
            : FilterListBuilder.FromOptions(o, readStdin: () => System.Text.Encoding.UTF8.GetBytes(context.In.ReadToEnd()),
                homeDirectory: context.GetEnvironmentVariable("HOME"), cvsIgnoreVariable: context.GetEnvironmentVariable("CVSIGNORE"));
}
