using System.Globalization;

namespace ManagedRsync;

/// <summary>
/// The --info levels mrsync's roles print as stock rsync 3.5.0 does, wherever they run: a client's own generator,
/// receiver and sender, and a server's. A level above these is refused by name (exit 4), never printed differently.
/// </summary>
public static class InfoDone
{
    // By InfoFlag (options.c: info_words order). MISC and PROGRESS have lines at levels 1-2 only, so every level of them
    // is done; COPY has one line at level 1 (generator.c: copy_altdest_file's failure, GeneratorRole.AltDest.cs
    // OpenCopySource). STATS3 (main.c: show_malloc_stats) is each role's block of memory figures: Roles/HeapStatistics.cs.
    private static readonly int[] Levels =
    [
        /* BACKUP */ InfoLevels.MaxLevel, /* COPY */ InfoLevels.MaxLevel, /* DEL */ InfoLevels.MaxLevel, /* FLIST */ InfoLevels.MaxLevel, /* MISC */ InfoLevels.MaxLevel,
        /* MOUNT */ InfoLevels.MaxLevel, /* NAME */ InfoLevels.MaxLevel, /* NONREG */ InfoLevels.MaxLevel, /* PROGRESS */ InfoLevels.MaxLevel,
        /* REMOVE */ InfoLevels.MaxLevel, /* SKIP */ InfoLevels.MaxLevel, /* STATS */ InfoLevels.MaxLevel, /* SYMSAFE */ InfoLevels.MaxLevel,
    ];

    /// <summary>The highest level of <paramref name="flag"/> done.</summary>
    public static int Level(InfoFlag flag) => Levels[(int)flag];

    /// <summary>
    /// The first flag <paramref name="given"/> raises above <paramref name="done"/>'s level for it, named by its lowest
    /// level not done ("--info=stats3", "--info=backup"); null when every flag given is done.
    /// </summary>
    public static string? FirstAbove(InfoLevels given, Func<InfoFlag, int> done)
    {
        ArgumentNullException.ThrowIfNull(done);
        for (int j = 0; j < InfoLevels.Names.Count; j++)
        {
            var flag = (InfoFlag)j;
            int level = done(flag);
            if (!given.IsSet(flag) || given[flag] <= level)
                continue;
            return "--info=" + InfoLevels.Names[j].ToLowerInvariant() + (level + 1 == 1 ? "" : (level + 1).ToString(CultureInfo.InvariantCulture));
        }
        return null;
    }
}
