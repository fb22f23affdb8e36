using ManagedRsync.Destination;
using ManagedRsync.FileList;

namespace ManagedRsync.Roles.Generator;

/// <summary>
/// The generator's rules for entries it leaves alone (rsync generator.c: recv_generator): --existing (nothing at the
/// name: not created), --ignore-existing (something at the name that is not a directory meeting a directory),
/// --max-size / --min-size and -u (regular files only), and --modify-window's idea of the same time (util1.c:
/// same_time). Skipped entries are not itemized; stock names them only at --info=skip (-vv).
/// </summary>
internal static class UpdateRules
{
    /// <summary>--existing: an entry with nothing at its name is not created (a directory's contents neither).</summary>
    public static bool SkipsMissing(TransferOptions o, EntryStatus? local) => o.Existing && local is null;

    /// <summary>--ignore-existing: an existing entry is not updated, unless a directory meets a directory.</summary>
    public static bool SkipsExisting(TransferOptions o, FileEntry file, EntryStatus? local) =>
        o.IgnoreExisting && local is { } st && !(file.IsDirectory && st.IsDirectory);

    /// <summary>--max-size / --min-size (generator.c: no handle_skipped_hlink for these).</summary>
    public static bool SkipsBySize(TransferOptions o, FileEntry file) =>
        (o.MaxSize is long max && file.Size > max) || (o.MinSize is long min && file.Size < min);

    /// <summary>-u: the destination's regular file is newer by the modify window.</summary>
    public static bool SkipsAsNewer(TransferOptions o, FileEntry file, EntryStatus? local) =>
        o.Update && local is { IsRegularFile: true } st && file.ModTime - st.MtimeSeconds < (o.ModifyWindow ?? 0);

    /// <summary>
    /// util1.c same_time: whole seconds by default; with a negative --modify-window the nanoseconds too; with a
    /// positive one any difference up to the window.
    /// </summary>
    public static bool SameTime(TransferOptions o, FileEntry file, EntryStatus local)
    {
        int window = o.ModifyWindow ?? 0;
        if (window == 0)
            return file.ModTime == local.MtimeSeconds;
        if (window < 0)
            return file.ModTime == local.MtimeSeconds && (uint)file.ModTimeNsec == local.MtimeNanoseconds;
        return Math.Abs(file.ModTime - local.MtimeSeconds) <= window;
    }

    /// <summary>
    /// rsync.c set_file_attrs leaves an mtime that is the same by <see cref="SameTime"/> as it is (same_mtime).
    /// </summary>
    public static EntryAttributes KeepingSameTime(TransferOptions o, EntryAttributes wanted, FileEntry file, EntryStatus local) =>
        wanted.MtimeSeconds is not null && (o.ModifyWindow ?? 0) != 0 && SameTime(o, file, local)
            ? wanted with { MtimeSeconds = local.MtimeSeconds, MtimeNanoseconds = local.MtimeNanoseconds }
            : wanted;
}
