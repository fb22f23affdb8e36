namespace ManagedRsync.Cli.Options;

/// <summary>
/// Which --info levels mrsync prints as stock rsync 3.5.0 does. A flag the user raises above what is done here is
/// refused by name ("--info=stats3 is not supported yet", exit 4); lowering one (FLAG0) is always done.
/// </summary>
internal static class InfoSupport
{
    /// <summary>The first flag given above what mrsync does anywhere (<see cref="InfoDone"/>), as "--info=nameN", or null.</summary>
    public static string? Refused(InfoLevels given) =>
        InfoDone.FirstAbove(given, InfoDone.Level);

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
