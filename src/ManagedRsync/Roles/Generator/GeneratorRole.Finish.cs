using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Generator;

// What the generator does once the transfers are done: the later links of each hard-link group, and the directories'
// modes and times after their contents.
internal sealed partial class GeneratorRole
{
    // rsync hlink.c: finish_hardlink — later links of a group are made once the first has its content.
    private void FinishHardLinks()
    {
        foreach (var (follower, leader) in run.List.HardLinkLeaders)
        {
            int leaderIndex = Files.IndexOf(leader);
            int followerIndex = Files.IndexOf(follower);
            if (leaderIndex < 0 || followerIndex < 0)
                continue;
            try
            {
                var a = Destination!.Stat(run.Names[leaderIndex]);
                var b = Destination.Stat(run.Names[followerIndex]);
                if (a is { } x && b is { } y && x.Inode == y.Inode && x.Device == y.Device)
                    continue;
                Destination.CreateHardLink(run.Names[followerIndex], run.Names[leaderIndex]);
                if (ItemLog.IsLogging(Options))
                    run.Say(followerIndex, FileNameEncoding.Display(run.Names[followerIndex]));
            }
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                run.ReportFailure(e.Message);
            }
        }
    }

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
            catch (RsyncException e) when (e.Kind == RsyncErrorKind.FileIo)
            {
                run.ReportFailure(e.Message);
            }
        }
    }
}
