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
        if (run.OperatorPartialDir is null)
            dest.CreateDirectory(PartialDirs.DirectoryOf(run.Options.PartialDir!, run.FixedPartialDir, name)!);
        (ConfinedDirectory dir, string partialName) = PartialDirs.Locate(run, dest, name, create: true)!.Value;
        dir.CommitTempAs(temp, partialName);
    }

    // The partial copy goes (from the directory it was the basis in), and its directory when that leaves it empty
    // (PDIR_DELETE: rmdir).
    private void RemovePartial(ConfinedDirectory partialDir, string partialName, string name)
    {
        partialDir.Delete(partialName);
        if (PartialDirs.RemovesEmptied(run))
            run.Destination!.RemoveIfEmpty(PartialDirs.DirectoryOf(run.Options.PartialDir!, null, name)!);
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
            (ConfinedDirectory partialDir, string partialName) = PartialDirs.Locate(run, dest, name, create: true)!.Value;
            try
            {
                if (Backups.Wanted(run.Options, dest.Stat(name)))
                    run.Backups.Keep(name, ndx);
                dest.Rename(partialName, name, partialDir == dest ? null : partialDir);
                if (PartialDirs.RemovesEmptied(run))
                    dest.RemoveIfEmpty(PartialDirs.DirectoryOf(run.Options.PartialDir!, null, name)!);
                // receiver.c: handle_delayed_updates — only now is the file in place for -H and --remove-source-files.
                InPlace(ndx);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                // receiver.c: handle_delayed_updates — rsyserr with full_fname of the name and the partial name as
                // partial_dir_fname made it (absolute for an absolute --partial-dir).
                string from = run.OperatorPartialDir is { } outside ? outside.Path.TrimEnd('/') + "/" + partialName : partialName;
                string why = e.Errno is int errno ? SystemError.Describe(errno) : e.Message;
                run.ReportFailure($"rsync: [receiver] rename failed for {run.QuotedFullName(name)} (from {FileNameEncoding.Display(from)}): {why}");
            }
        }
        _delayed.Clear();
    }
}
