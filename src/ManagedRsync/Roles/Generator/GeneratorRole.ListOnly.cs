using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// A listing (no destination): rsync generator.c: generate_files under list_only prints each entry instead of
// generating it.
internal sealed partial class GeneratorRole
{
    // rsync generator.c: list_file_entry — each entry of a --list-only run, in file-list order, as a value.
    public static void ListOnly(ReceiveRun run)
    {
        foreach (FileEntry file in run.Files)
        {
            if (file.Pruned)
                continue;
            run.Log.Listed(new ListingEntry(ItemLog.KindOf(file), file.Mode, file.Size, DateTimeOffset.FromUnixTimeSeconds(file.ModTime),
                file.DisplayName, file.IsSymlink && file.LinkTarget is { } target ? FileNameEncoding.Display(target) : null));
        }
    }
}
