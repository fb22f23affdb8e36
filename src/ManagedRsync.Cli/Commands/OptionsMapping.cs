using ManagedRsync.Cli.Options;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// The parsed command line (<see cref="RsyncOptions"/>, the CLI's mutable model) as the library's immutable records:
/// <see cref="TransferOptions"/>, <see cref="DaemonConnectOptions"/> and the <see cref="FilterList"/>.
/// </summary>
internal static class OptionsMapping
{
    /// <summary>
    /// As <see cref="ToTransferOptions(RsyncOptions)"/>, for a transfer that lists (--list-only, or a pull with no
    /// destination): without -r it transfers directories without recursing (rsync options.c: parse_arguments,
    /// xfer_dirs = list_only ? 1 : 0), so a directory's entries are listed, not skipped.
    /// </summary>
    public static TransferOptions ToTransferOptions(this RsyncOptions o, bool listing)
    {
        TransferOptions options = o.ToTransferOptions();
        return listing && !options.Recursive ? options with { Dirs = true } : options;
    }

    // Each field is taken as parsed: -a already set its seven options and a later --no-X cleared one, so nothing
    // here may add the archive bits back (rsync options.c case 'a' sets the variables, --no-o resets one).
    public static TransferOptions ToTransferOptions(this RsyncOptions o) => new()
    {
        Verbose = o.Verbose,
        Quiet = o.Quiet,
        InfoGiven = o.InfoGiven,
        DebugDel = DebugOption.Level(o, "DEL"),
        Stderr = o.Stderr,
        Recursive = o.Recursive,
        Dirs = o.Dirs,
        DirsGiven = o.DirsGiven,
        Links = o.Links,
        Perms = o.Perms,
        Acls = o.Acls,
        Times = o.Times,
        OmitDirTimesGiven = o.OmitDirTimes,
        OmitLinkTimes = o.OmitLinkTimes,
        OpenNoAtime = o.OpenNoAtime,
        Atimes = o.Atimes > 0,
        AtimesTwice = o.Atimes > 1,
        Group = o.Group,
        Owner = o.Owner,
        Devices = o.Devices,
        CopyDevices = o.CopyDevices,
        DropDevices = o.DropDevices,
        Specials = o.Specials,
        HardLinks = o.HardLinks,
        // compat.c: set_allow_inc_recurse — --qsort turns incremental recursion off.
        IncrementalRecursion = o.IncrementalRecursion && !o.UseQsort,
        UseQsort = o.UseQsort,
        Relative = o.Relative,
        PruneEmptyDirs = o.PruneEmptyDirs,
        // options.c: parse_arguments — without -R there are no implied directories (implied_dirs = 0 changes nothing).
        ImpliedDirs = o.ImpliedDirs || !o.Relative,
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
        IgnoreMissingArgs = o.IgnoreMissingArgs && !o.DeleteMissingArgs,
        MungeLinks = o.MungeLinks,
        // main.c: "if (write_batch < 0) dry_run = 1;" (after options.c settled do_xfers).
        DryRun = o.DryRun || o.OnlyWriteBatch,
        OnlyWriteBatch = o.OnlyWriteBatch,
        RecurseGiven = o.RecurseGiven,
        ListOnly = o.ListOnly,
        NumericIds = o.NumericIds,
        ItemizeChanges = o.ItemizeChanges,
        OutFormat = o.OutFormat,
        LogFileFormat = o.LogFileFormat,
        WriteBatch = o.WriteBatch,
        BatchScript = o.WriteBatch is null ? null : protocol => BatchScript.Text(o, protocol),
        Listing = o.ListOnly || (o.Args.Count == 1 && o.ReadBatch is null),
        Stats = o.Stats,
        Progress = o.Progress,
        Partial = o.Partial,
        TempDir = o.TempDir,
        Timeout = o.Timeout ?? 0,
        BandwidthLimit = o.BandwidthLimit,
        Protocol = o.Protocol ?? 32,
        Backup = o.Backup,
        BackupDir = o.BackupDir,
        BackupSuffix = o.BackupSuffix,
        AltDest = o.AltDest,
        AltDestDirs = o.AltDestDirs.Count == 0 ? [] : [.. o.AltDestDirs],
        MaxDelete = o.MaxDelete,
        IgnoreErrors = o.IgnoreErrors,
        Force = o.Force,
        Update = o.Update,
        Existing = o.Existing,
        IgnoreExisting = o.IgnoreExisting,
        MaxSize = o.MaxSize,
        MinSize = o.MinSize,
        PartialDir = o.PartialDir,
        PartialDirImplied = o.PartialDirImplied,
        DelayUpdates = o.DelayUpdates,
        Sparse = o.Sparse,
        Preallocate = o.Preallocate,
        ModifyWindow = o.ModifyWindow,
        Fuzzy = o.Fuzzy,
        MakePath = o.MakePath,
        Fsync = o.Fsync,
        Super = o.Super,
        UserMap = o.UserMap,
        GroupMap = o.GroupMap,
        ChecksumSeed = o.ChecksumSeed,
        MaxAlloc = o.MaxAlloc,
        // ReceivingOptionRules: a limit that is neither 0 nor the default (dropped) was refused by name.
        MaxAllocUnlimited = o.MaxAlloc is not null,
        SkipCompress = o.SkipCompress,
        KeepDirLinks = o.KeepDirLinks,
        OneFileSystem = o.OneFileSystem,
        Xattrs = o.Xattrs,
        CopyLinks = o.CopyLinks,
        CopyDirLinks = o.CopyDirLinks,
        CopyUnsafeLinks = o.CopyUnsafeLinks,
        SafeLinks = o.SafeLinks,
        Executability = o.Executability,
        Inplace = o.Inplace,
        Append = o.AppendMode > 0,
        AppendVerify = o.AppendMode > 1,
        NoWholeFile = o.WholeFile == false,
        RemoveSourceFiles = o.RemoveSourceFiles == 1,
        RemoveSentFiles = o.RemoveSourceFiles == 2,
        Chmod = o.Chmod,
        RemoteOptions = o.RemoteOptions.Count == 0 ? [] : [.. o.RemoteOptions],
    };

    /// <summary>The filter list of the command line, or null when it has no filter option. Rule files named "-" are
    /// read from the context's stdin; -C reads $HOME/.cvsignore and $CVSIGNORE from the context's environment.</summary>
    public static FilterList? BuildFilters(this RsyncOptions o, CliContext context) =>
        o.BuiltFilters = o.Filters.Count == 0
            ? null
            : o.BuildFilterList(readStdin: () => System.Text.Encoding.UTF8.GetBytes(context.In.ReadToEnd()),
                homeDirectory: context.GetEnvironmentVariable("HOME"), cvsIgnoreVariable: context.GetEnvironmentVariable("CVSIGNORE"));

    /// <summary>
    /// The filter list of the filter options (<see cref="RsyncOptions.Filters"/> in order). RsyncOptions keeps
    /// --delete-excluded and --from0 as plain flags, so they are applied before every rule: that only changes how a
    /// pull spells rules given before --delete-excluded on the wire ("-s x" instead of "- x"), not what they do.
    /// </summary>
    public static FilterList BuildFilterList(this RsyncOptions o, Func<string, byte[]>? readFile = null, Func<byte[]>? readStdin = null,
        string? homeDirectory = null, string? cvsIgnoreVariable = null)
    {
        var builder = new FilterListBuilder(readFile, readStdin, homeDirectory, cvsIgnoreVariable)
        {
            DeleteExcluded = o.DeleteExcluded,
            From0 = o.From0,
        };
        foreach (FilterArgument argument in o.Filters)
            builder.Add(argument.Option, argument.Value);
        return builder.Build();
    }

    /// <summary>
    /// What the command line implies for reaching <paramref name="address"/>: its port (else --port, else 873),
    /// --address, -4/-6, --contimeout, --timeout (which also bounds the text handshake) and --protocol.
    /// </summary>
    public static DaemonConnectOptions ConnectOptionsFor(this RsyncOptions o, DaemonAddress address) => new()
    {
        Host = address.Host,
        Port = address.EffectivePort(o.Port),
        BindAddress = o.Address,
        AddressFamily = o.AddressFamily,
        ConnectTimeout = o.ConnectTimeout is > 0 and int c ? TimeSpan.FromSeconds(c) : null,
        HandshakeTimeout = o.Timeout is > 0 and int t ? TimeSpan.FromSeconds(t) : DaemonConnectOptions.DefaultHandshakeTimeout,
        ProtocolVersion = o.Protocol ?? DaemonConnectOptions.MaxProtocolVersion,
        EarlyInputFile = o.EarlyInput,
    };
}
