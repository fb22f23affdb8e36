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
            run.Log.Listed(new ListingEntry(ItemLog.KindOf(file), file.Mode, file.Size, ShownTime(file.ModTime),
                file.DisplayName, file.IsSymlink && file.LinkTarget is { } target ? FileNameEncoding.Display(target) : null)
            {
                AccessTimeColumn = run.Options.Atimes,
                AccessTime = run.Options.Atimes && !file.IsDirectory ? ShownTime(file.AccessTime) : null,
            });
        }
    }

    // A time from the peer may be any 64-bit value: one beyond what DateTimeOffset holds is shown as its bound rather
    // than ending the listing (a day inside, so that ToLocalTime stays in range).
    private static DateTimeOffset ShownTime(long seconds) =>
        DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, DateTimeOffset.MinValue.ToUnixTimeSeconds() + 86_400, DateTimeOffset.MaxValue.ToUnixTimeSeconds() - 86_400));
}
