namespace ManagedRsync.Cli.Options;

/// <summary>
/// Which --info levels mrsync prints as stock rsync 3.5.0 does. A flag the user raises above what is done here is
/// refused by name ("--info=stats3 is not supported yet", exit 4); lowering one (FLAG0) is always done. The
/// receiver's BACKUP and COPY lines, and SKIP's level 2, are done where a stock daemon receives (DirectionSupport).
/// </summary>
internal static class InfoSupport
{
    // The highest level done in every direction, by InfoFlag (options.c: info_words order; MISC and PROGRESS have lines
    // at levels 1-2 only, so every level of them is done). Stock's lines above these: STATS3 each process's heap
    // statistics (main.c: show_malloc_stats).
    private static readonly int[] Done =
    [
        /* BACKUP */ 0, /* COPY */ 0, /* DEL */ InfoLevels.MaxLevel, /* FLIST */ InfoLevels.MaxLevel, /* MISC */ InfoLevels.MaxLevel,
        /* MOUNT */ InfoLevels.MaxLevel, /* NAME */ InfoLevels.MaxLevel, /* NONREG */ InfoLevels.MaxLevel, /* PROGRESS */ InfoLevels.MaxLevel,
        /* REMOVE */ InfoLevels.MaxLevel, /* SKIP */ InfoLevels.MaxLevel, /* STATS */ 2, /* SYMSAFE */ InfoLevels.MaxLevel,
    ];

    // Flags done only on a push (their lines come from the stock daemon's receiver); SKIP above level 1 too
    // (DirectionSupport).
    private static readonly InfoFlag[] PushOnly = [InfoFlag.Backup, InfoFlag.Copy];

    /// <summary>The first flag given above what mrsync does anywhere, as "--info=nameN", or null.</summary>
    public static string? Refused(InfoLevels given)
    {
        for (int j = 0; j < Done.Length; j++)
        {
            var flag = (InfoFlag)j;
            if (PushOnly.Contains(flag) || !given.IsSet(flag) || given[flag] <= Done[j])
                continue;
            // The lowest level that is not done names it ("--info=stats3", "--info=progress2").
            int level = Done[j] + 1;
            return "--info=" + InfoLevels.Names[j].ToLowerInvariant() + (level == 1 ? "" : level.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        return null;
    }

    /// <summary>
    /// info=name2 set by --info where nothing itemizes (no -i, or an --out-format without %i) or below protocol 29
    /// (generator.c: generate_files sets maybe_ATTRS_REPORT then).
    /// </summary>
    public static bool UnchangedNamesWithoutItemizing(RsyncOptions o)
    {
        bool itemizing = o.OutFormat is { } format ? LogFormat.Has(format, 'i') : o.ItemizeChanges > 0;
        return o.InfoGiven.IsSet(InfoFlag.Name) && o.InfoGiven[InfoFlag.Name] >= 2 && (!itemizing || o.Protocol < 29);
    }

    /// <summary>Whether --info set <paramref name="flag"/> above 0.</summary>
    public static bool Raised(InfoLevels given, InfoFlag flag) => given.IsSet(flag) && given[flag] > 0;
}
