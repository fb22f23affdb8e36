using ManagedRsync.Destination;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// --partial-dir (and the ".~tmp~" --delay-updates implies) on our receiving side: a relative directory beside each
/// file, where a partly received file is kept for the next run to use as its basis, and where --delay-updates puts
/// every received file until the end of the run (util1.c: partial_dir_fname). An absolute --partial-dir is one
/// directory for every file (partial_dir_fname joins it with the leaf alone); a receiving daemon places it beneath
/// the module (<see cref="ReceiveRun.FixedPartialDir"/>, relative to the destination), and it is never removed
/// (util1.c: handle_partial_dir returns before its rmdir for an absolute one). On a receiving client an absolute one
/// is wherever the user put it (<see cref="ReceiveRun.OperatorPartialDir"/>), reached as its own directory.
/// </summary>
internal static class PartialDirs
{
    /// <summary>The name a file's partial copy has (DIR/PARTIALDIR/LEAF, or FIXED/LEAF), or null without a partial directory.</summary>
    public static string? FileName(TransferOptions o, string? fixedDir, string name) =>
        o.PartialDir is { } dir && DirectoryOf(dir, fixedDir, name) is { } parent ? parent + "/" + Leaf(name) : null;

    /// <summary>The partial directory of <paramref name="name"/> (util1.c: handle_partial_dir's directory).</summary>
    public static string? DirectoryOf(string partialDir, string? fixedDir, string name)
    {
        if (fixedDir is not null)
            return fixedDir;
        int slash = name.LastIndexOf('/');
        return slash < 0 ? partialDir : name[..slash] + "/" + partialDir;
    }

    /// <summary>Whether an emptied partial directory goes (util1.c: handle_partial_dir PDIR_DELETE; not an absolute one).</summary>
    public static bool RemovesEmptied(ReceiveRun run) => run.FixedPartialDir is null && run.OperatorPartialDir is null;

    /// <summary>
    /// Where <paramref name="name"/>'s partial copy is or goes: the directory it is reached in and its name there;
    /// null without a partial directory, or (<paramref name="create"/> off) when an absolute one does not exist.
    /// </summary>
    public static (ConfinedDirectory Directory, string Name)? Locate(ReceiveRun run, ConfinedDirectory? dest, string name, bool create)
    {
        if (run.Options.PartialDir is null)
            return null;
        if (run.OperatorPartialDir is { } outside)
            return (create ? outside.Create() : outside.Existing()) is { } dir ? (dir, Leaf(name)) : null;
        return dest is not null && FileName(run.Options, run.FixedPartialDir, name) is { } partialName ? (dest, partialName) : null;
    }

    private static string Leaf(string name) => name[(name.LastIndexOf('/') + 1)..];
}
