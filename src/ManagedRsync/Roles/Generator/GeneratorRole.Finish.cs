using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

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
                EntryAttributes attributes = run.AttributesFor(Files[ndx], isNew: _createdDirectories.Contains(ndx));
                if (attributes.Acls is not null && _setAgainByReceiver.Contains(ndx))
                    attributes = attributes with { AclPriorMode = attributes.Permissions is { } wanted ? 0x4000 | wanted : null };
                else if (attributes.Acls is not null && _createdDirectories.Contains(ndx))
                    attributes = attributes with { AclPriorMode = StockMkdirMode(Files[ndx], run.Names[ndx]) };
                // generator.c: touch_up_dirs (fix_dir_perms) — a directory widened for its contents.
                if (_widenedDirectories.TryGetValue(ndx, out uint restored))
                    attributes = attributes with { Permissions = restored, ModuleChmod = null };
                if (_directoryLinks.TryGetValue(ndx, out EntryStatus linked) && !LinkedDirectoryAttributes(ndx, linked, ref attributes))
                    continue;
                Destination!.SetAttributes(run.Names[ndx], attributes);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                run.ReportFailure(e.Message);
            }
        }
    }

    // receiver.c: recv_files — the directories stock's receiver gives set_file_attrs again (an itemization with
    // ITEM_REPORT_XATTR and no transfer: XattrExchange.ReceiverSetsAttributes). Stock's generator sets the
    // directory's attributes right after itemizing it, long before the item has gone through the sender to the
    // receiver, so the receiver's comparison of the ACLs sees the mode the chmod gave, and change_sacl_perms no sticky
    // bit coming on: the ACL ends as if written against the wanted mode, whatever mode the directory had before.
    private readonly HashSet<int> _setAgainByReceiver = [];

    // generator.c: recv_generator — the mode a directory stock made has when set_file_attrs writes its ACL
    // (acls.c: change_sacl_perms looks at whether the sticky bit is coming on): with incremental recursion and kept
    // directory times a subdirectory is made in its parent's pass with (mode | added_perms) & 0700, else with the
    // sender's mode (less the umask, which mkdir applies).
    private uint StockMkdirMode(FileEntry dir, string name)
    {
        uint mode = (uint)dir.Mode;
        uint added = Options.FakeSuper ? 0x1C0u : 0;
        // A pulling client of ours with -i lists without incremental recursion where stock's would use it
        // (IncrementalRecursion.Offered): what stock's generator would do is what counts.
        bool incremental = run.Connection.Parameters.IncRecurse
            || (!run.IsServer && !run.LocalServer && Session.IncrementalRecursion.StockAllows(Options, weSend: false));
        bool early = incremental && name != "." && Options.KeepsTime(true, false);
        return early ? 0x4000 | ((mode | added) & 0x1C0) : 0x4000 | ((mode | added) & 0xFFF & ~(uint)ProcessUmask.Value);
    }

    // util1.c: full_fname — a name as a message quotes it: a daemon's from its module's root with "(in MODULE)".
    private string FullName(string name)
    {
        if (run.Target.ModuleName is not { } module)
            return $"\"{FileNameEncoding.Display(Path.GetFullPath(Destination!.RootPath).TrimEnd('/') + "/" + name)}\"";
        string within = (run.Target.DisplayDestination ?? ".").Trim('/');
        return BeneathRoot.Quote(module, run.Target.ModuleSlashAtTop, within is "." or "" ? name : within + "/" + name, within);
    }

    /// <summary>-K: the directories that are links to directories in the destination, with what they lead to.</summary>
    private readonly Dictionary<int, EntryStatus> _directoryLinks = [];

    // rsync.c: set_file_attrs on a -K directory link compares with the directory it leads to; a time goes to the link
    // itself (utimensat without following), a mode cannot (its chmod goes through the confined resolver, which refuses
    // the link: ELOOP), reported as stock reports it. False when nothing is left to set.
    private bool LinkedDirectoryAttributes(int ndx, EntryStatus linked, ref EntryAttributes attributes)
    {
        attributes = attributes.Except(linked);
        if (attributes.Permissions is not null)
        {
            run.ReportFailure($"rsync: [generator] failed to set permissions on {FullName(run.Names[ndx])}: Too many levels of symbolic links (40)");
            attributes = attributes with { Permissions = null };
        }
        return !attributes.IsEmpty;
    }
}
