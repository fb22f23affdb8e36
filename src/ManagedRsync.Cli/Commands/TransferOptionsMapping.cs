using ManagedRsync.Filters;
using ManagedRsync.Transfer;

namespace ManagedRsync.Cli.Commands;

/// <summary>The parsed command line as the library's <see cref="TransferOptions"/>.</summary>
internal static class TransferOptionsMapping
{
    // Each field is taken as parsed: -a already set its seven options and a later --no-X cleared one, so nothing
    // here may add the archive bits back (rsync options.c case 'a' sets the variables, --no-o resets one).
    public static TransferOptions ToTransferOptions(this RsyncOptions o) => new()
    {
        Verbose = o.Verbose,
        Quiet = o.Quiet,
        Recursive = o.Recursive,
        Dirs = o.Dirs,
        Links = o.Links,
        Perms = o.Perms,
        Times = o.Times,
        Group = o.Group,
        Owner = o.Owner,
        Devices = o.Devices,
        Specials = o.Specials,
        HardLinks = o.HardLinks,
        Relative = o.Relative,
        AlwaysChecksum = o.Checksum,
        IgnoreTimes = o.IgnoreTimes,
        SizeOnly = o.SizeOnly,
        BlockSize = o.BlockSize,
        CvsExclude = o.Filters.Any(f => f.Option == FilterOptionKind.CvsExclude),
        WholeFile = o.WholeFile ?? false,
        Compress = o.Compress,
        CompressFromLevelOnly = o.CompressFromLevelOnly,
        CompressLevel = o.CompressLevel,
        CompressChoice = o.CompressChoice,
        ChecksumChoice = o.ChecksumChoice,
        Delete = o.Delete,
        DeleteExcluded = o.DeleteExcluded,
        DeleteMissingArgs = o.DeleteMissingArgs,
        DryRun = o.DryRun,
        ListOnly = o.ListOnly,
        NumericIds = o.NumericIds,
        ItemizeChanges = o.ItemizeChanges,
        Listing = o.ListOnly || o.Args.Count == 1,
        Stats = o.Stats,
        Progress = o.Progress,
        Partial = o.Partial,
        TempDir = o.TempDir,
        Timeout = o.Timeout ?? 0,
        BandwidthLimit = o.BandwidthLimit,
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
