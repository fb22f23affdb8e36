namespace ManagedRsync.Roles.Generator;

// --max-delete on our side (rsync delete.c: delete_item, generator.c: generate_files). Once the run has deleted N
// entries (stats.deleted_files: every kind), each further deletion is skipped and counted instead; a directory whose
// contents hit the limit stays ("cannot delete non-empty directory", as stock prints it then). After the last
// deletion pass the generator warns "Deletions stopped due to --max-delete limit (N skipped)" and the run ends with
// exit 25 (IOERR_DEL_LIMIT; cleanup.c: RERR_DEL_LIMIT) unless it is a partial transfer. --max-delete=0 deletes nothing.
internal sealed partial class GeneratorRole
{
    private int _skippedDeletes;

    /// <summary>True (and the deletion counted as skipped) when --max-delete allows no further deletion.</summary>
    private bool SkipForDeletionLimit()
    {
        if (Options.MaxDelete is not int max)
            return false;
        TransferStats s = run.Stats;
        long deleted = s.DeletedFiles + s.DeletedDirs + s.DeletedSymlinks + s.DeletedDevices + s.DeletedSpecials;
        if (deleted < max)
            return false;
        _skippedDeletes++;
        return true;
    }

    /// <summary>The warning once the deletions are over; a server sends it to the client as stock's MSG_WARNING.</summary>
    private void ReportDeletionLimit()
    {
        if (Options.MaxDelete is null || _skippedDeletes == 0)
            return;
        run.DeletionLimitReached = true;
        string line = $"Deletions stopped due to --max-delete limit ({_skippedDeletes} skipped)";
        if (run.Connection.ServerLog is { } server)
            server.Warning(line);
        else
            run.Log.Error(line);
    }
}
