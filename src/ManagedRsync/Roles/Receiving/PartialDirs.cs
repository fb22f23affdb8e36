namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// --partial-dir (and the ".~tmp~" --delay-updates implies) on our receiving side: a relative directory beside each
/// file, where a partly received file is kept for the next run to use as its basis, and where --delay-updates puts
/// every received file until the end of the run (util1.c: partial_dir_fname).
/// </summary>
internal static class PartialDirs
{
    /// <summary>The name a file's partial copy has (DIR/PARTIALDIR/LEAF), or null without a partial directory.</summary>
    public static string? FileName(TransferOptions o, string name) =>
        o.PartialDir is { } dir && DirectoryOf(dir, name) is { } parent ? parent + "/" + Leaf(name) : null;

    /// <summary>The partial directory beside <paramref name="name"/> (util1.c: handle_partial_dir's directory).</summary>
    public static string? DirectoryOf(string partialDir, string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? partialDir : name[..slash] + "/" + partialDir;
    }

    private static string Leaf(string name) => name[(name.LastIndexOf('/') + 1)..];
}
