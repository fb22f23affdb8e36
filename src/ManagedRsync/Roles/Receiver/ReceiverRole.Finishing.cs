using ManagedRsync.Delta;
using ManagedRsync.Destination;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;
using Microsoft.Win32.SafeHandles;

namespace ManagedRsync.Roles.Receiver;

// rsync rsync.c: finish_transfer — a received file that passed its check gets its attributes on the temporary file and
// takes its final name. On a receiving server the plain case (no backup, no --partial-dir basis to remove, no
// --delay-updates, not in place) is done on a thread of its own (FinishingThread), so that the receiver reads and
// writes the next file meanwhile: a 10,000-file push spent most of its receiver's time in the kernel, fchmod, futimens,
// renameat and close among it, one file after another on one thread (RESULTS.md, sessions 14 and 15).
internal sealed partial class ReceiverRole
{
    /// <summary>The finishing thread, started for the first file finished there; null until then.</summary>
    private FinishingThread<Finishing>? _finishing;

    /// <summary>A basis at least this long is closed off the receiver's and the finishing thread's way.</summary>
    private const long LargeBasis = 4 << 20;

    /// <summary>
    /// A file received and checked, whose last steps are still to come; with the descriptor of the old file it
    /// replaces when that is large (<see cref="OldFileToClose"/>).
    /// </summary>
    private readonly record struct Finishing(int Ndx, string Name, ConfinedTempFile Temp, EntryAttributes Attributes, bool Settles,
        SafeFileHandle? OldFile = null)
    {
        public void Abandon()
        {
            Temp.Dispose();
            OldFile?.Dispose();
        }
    }

    // The file's own old copy, when it was the basis and is large: its pages are freed when the last of its names and
    // descriptors goes (stock's receiver closes the basis, then renames: finish_transfer's rename frees them, 40 ms of
    // kernel time for 256 MiB on tmpfs, while the sender waits for the phase's end). Taken from the receiver's handle
    // (which then closes nothing), and closed after the rename on a thread-pool thread.
    private static SafeFileHandle? OldFileToClose(SafeFileHandle? basis, PendingFile pending, SumHeader header)
    {
        if (basis is null || header.FileLength < LargeBasis || pending.BasisDirectory is not null || pending.BasisName is not null)
            return null;
        var kept = new SafeFileHandle(basis.DangerousGetHandle(), ownsHandle: true);
        basis.SetHandleAsInvalid();
        return kept;
    }

    // Only a server's files, and only the steps that touch nothing but the file itself. A receiving client's finishing
    // on the thread too (session 16, `initial`) doubled a plain pull's CPU on ext4 (100,000 files: 10.1 -> 21.1 s,
    // wall 9.6 -> 13.3 s; the two threads create and rename in one directory at once), so a client keeps it inline
    // (a --read-batch run is a client's too).
    private bool FinishesLater(PendingFile pending, EntryStatus? existing) =>
        run.IsServer && run.Order is null && run.Target.Progress is null && !run.Options.Inplace && !run.Options.DelayUpdates
        && !Backups.Wanted(run.Options, existing) && pending is not { BasisName: not null, UsesUpBasis: true };

    private void FinishLater(Finishing item)
    {
        if (_finishing is null)
        {
            _finishing = new FinishingThread<Finishing>(Finish, static f => f.Abandon());
            // Whatever is queued is done while the receiver waits for the sender (the generator may be waiting for
            // those files to settle, and the sender for the generator).
            run.Connection.In.BeforeWait = _finishing.Kick;
        }
        _finishing.Add(item);
    }

    /// <summary>Waits until every file handed to the finishing thread is in place (before a phase's end is reported).</summary>
    private void DrainFinishing() => _finishing?.Drain();

    // The finishing thread's work, one file: the attributes, the rename, the close; then what the generator is told of
    // it (in place for -H and --remove-source-files; settled, with incremental recursion).
    private void Finish(Finishing item)
    {
        try
        {
            using (item.Temp)
            {
                item.Temp.SetAttributes(item.Attributes);
                if (Rename(item.Temp, item.Name))
                    InPlace(item.Ndx);
            }
        }
        finally
        {
            if (item.OldFile is { } old)
                ThreadPool.UnsafeQueueUserWorkItem(static h => h.Dispose(), old, preferLocal: false);
        }
        if (item.Settles)
            run.ToGenerator.FileSettled(item.Ndx);
    }

    /// <summary>
    /// rsync.c: finish_transfer — the temporary file over the final name. A failed rename is this file's failure, in
    /// stock's words (rsyserr FERROR_XFER: "rename TEMP -> NAME", the run ends with exit 23), and its temporary file is
    /// removed (do_unlink_at); the run goes on. False then.
    /// </summary>
    private bool Rename(ConfinedTempFile temp, string name)
    {
        if (temp.TryCommit(out int errno))
            return true;
        string display = FileNameEncoding.Display(name);
        run.ReportFailure($"rsync: [receiver] rename {run.QuotedFullName(TempPathOf(temp, name))} -> \"{display}\": {SystemError.Describe(errno)}");
        temp.Dispose();
        return false;
    }

    // receiver.c: get_tmpname — the temporary name as stock's messages give it: beside the file (its directory's path
    // before it), or in --temp-dir.
    private string TempPathOf(ConfinedTempFile temp, string name)
    {
        if (run.TempDirectory is not null && run.Options.TempDir is { } tempDir)
            return tempDir.TrimEnd('/') + "/" + temp.TempName;
        int slash = name.LastIndexOf('/');
        return slash < 0 ? temp.TempName : name[..(slash + 1)] + temp.TempName;
    }
}
