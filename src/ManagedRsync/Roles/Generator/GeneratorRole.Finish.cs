namespace ManagedRsync.Roles.Generator;

// What the generator does once the transfers are done: the directories' modes and times after their contents.
internal sealed partial class GeneratorRole
{
    // rsync generator.c: touch_up_dirs — directories get their mode and times after their contents, deepest first.
    private void FinishDirectories()
    {
        for (int i = _directories.Count - 1; i >= 0; i--)
        {
            int ndx = _directories[i];
            try
            {
                // A directory we made gets the sender's mode less the umask even without -p (generator.c: dest_mode).
                Destination!.SetAttributes(run.Names[ndx], run.AttributesFor(Files[ndx], isNew: _createdDirectories.Contains(ndx)));
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                run.ReportFailure(e.Message);
            }
        }
    }
}
