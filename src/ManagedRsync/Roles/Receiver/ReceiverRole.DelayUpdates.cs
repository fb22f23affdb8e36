using ManagedRsync.Destination;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Receiver;

// --partial-dir and --delay-updates in our receiver (rsync receiver.c: recv_files' finish into partialptr,
// handle_delayed_updates; util1.c: handle_partial_dir).
internal sealed partial class ReceiverRole
{
    /// <summary>The files --delay-updates holds in their partial directories, in the order they arrived.</summary>
    private readonly List<int> _delayed = [];

    // util1.c: handle_partial_dir PDIR_CREATE makes the partial directory (0700; a non-directory in its way goes),
    // then finish_transfer renames the file to its partial name.
    private void CommitToPartialDir(ConfinedTempFile temp, string name)
    {
        ConfinedDirectory dest = run.Destination!;
        dest.CreateDirectory(PartialDirs.DirectoryOf(run.Options.PartialDir!, run.FixedPartialDir, name)!);
        dest.CommitTempAs(temp, PartialDirs.FileName(run.Options, run.FixedPartialDir, name)!);
    }

    // The partial copy goes, and its directory when that leaves it empty (PDIR_DELETE: rmdir).
    private void RemovePartial(ConfinedDirectory dest, string partialName, string name)
    {
        dest.Delete(partialName);
        if (PartialDirs.RemovesEmptied(run.FixedPartialDir))
            dest.RemoveIfEmpty(PartialDirs.DirectoryOf(run.Options.PartialDir!, null, name)!);
    }

    /// <summary>
    /// receiver.c: handle_delayed_updates, once the redo phase is over — each held file is backed up (-b) and renamed
    /// into place, its partial directory removed when empty; a hard-link leader, and a file to remove from the sender,
    /// is confirmed only now.
    /// </summary>
    private void HandleDelayedUpdates()
    {
        ConfinedDirectory? dest = run.Destination;
        if (dest is null)
            return;
        foreach (int ndx in _delayed)
        {
            string name = run.NameOf(ndx);
            string partialName = PartialDirs.FileName(run.Options, run.FixedPartialDir, name)!;
            try
            {
                if (Backups.Wanted(run.Options, dest.Stat(name)))
                    run.Backups.Keep(name, ndx);
                dest.Rename(partialName, name);
                if (PartialDirs.RemovesEmptied(run.FixedPartialDir))
                    dest.RemoveIfEmpty(PartialDirs.DirectoryOf(run.Options.PartialDir!, null, name)!);
                // receiver.c: handle_delayed_updates — only now is the file in place for -H and --remove-source-files.
                InPlace(ndx);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                run.ReportFailure($"rename failed for \"{FileNameEncoding.Display(name)}\" (from {FileNameEncoding.Display(partialName)}): {e.Message}");
            }
        }
        _delayed.Clear();
    }
}
