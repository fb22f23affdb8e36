using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Generator;

// A receiver that is not root and a directory without owner rwx (protocol-notes.md §78).
internal sealed partial class GeneratorRole
{
    // main.c: our_uid and am_root, taken once per run (a daemon's connection has its module's uid by now).
    private readonly uint _ourUid = Interop.GetEffectiveUserId();

    // generator.c: !am_root — neither root nor --super nor --fake-super (am_root < 0 is true in C); once per run.
    private bool NotRoot => _notRoot ??= Options.Super switch
    {
        SuperMode.Default => _ourUid != 0,
        SuperMode.NoSuper => true,
        _ => false,
    };
    private bool? _notRoot;

    // generator.c: the mode touch_up_dirs gives back to a directory that was widened for its contents.
    private readonly Dictionary<int, uint> _widenedDirectories = [];

    /// <summary>
    /// generator.c: recv_generator — a receiver that is not root gives a directory whose mode lacks any of S_IRWXU
    /// mode|S_IRWXU while its contents are written (gen_entry_chmod, dir_tweaking: not in a dry run); stock has
    /// set the directory's attributes just before, so an existing directory without owner rwx that is to get them
    /// gets its mode now too. touch_up_dirs gives the mode back at the end only when it lacks S_IWUSR
    /// (fix_dir_perms); one with S_IWUSR but not r or x keeps the owner's rwx.
    /// </summary>
    private void WidenForContents(int ndx, FileEntry file, string name, EntryStatus? local)
    {
        // rsync.c: dest_mode — without -p an existing directory keeps its own permissions; a new one gets the
        // sender's less the umask; we made it 0700 (ConfinedDirectory.CreateDirectory).
        uint wanted = Options.Perms ? (uint)file.Mode & 0xFFF
            : local is { } st ? st.Permissions
            : run.AttributesFor(file, isNew: true).Permissions ?? 0x1C0;
        uint current = local?.Permissions ?? 0x1C0;
        bool wantedLacks = (wanted & 0x1C0) != 0x1C0;
        if (!wantedLacks && (current & 0x1C0) == 0x1C0)
            return;
        uint during = wantedLacks ? wanted | 0x1C0 : wanted;
        if (wantedLacks)
            _widenedDirectories[ndx] = (wanted & 0x80) == 0 ? wanted : during;
        if (current == during)
            return;
        try
        {
            Destination!.SetAttributes(name, new EntryAttributes(Permissions: during));
        }
        catch (RsyncException e) when (e.Errno is { } errno)
        {
            run.ReportFailure($"rsync: [generator] failed to modify permissions on {FullName(name)}: {SystemError.Describe(errno)}");
        }
    }

    /// <summary>
    /// generator.c: delete_in_dir, recv_generator's del_opts; delete.c: delete_dir_contents — an entry of ours
    /// without S_IWUSR, when we are not root (FLAG_OWNED_BY_US: its uid is ours).
    /// </summary>
    private bool OursUnwritable(EntryStatus st) => NotRoot && (st.Mode & 0x80) == 0 && st.Uid == _ourUid;

    /// <summary>delete.c: del_chmod — mode|S_IWUSR before the entry goes (a dry run changes nothing).</summary>
    private void AddOwnerWrite(string path, EntryStatus st)
    {
        if (Options.DryRun)
            return;
        try
        {
            Destination!.SetAttributes(path, new EntryAttributes(Permissions: st.Permissions | 0x80));
        }
        catch (RsyncException e) when (e.Errno is not null)
        {
            // delete.c: del_chmod ignores the result; the deletion reports what then fails.
        }
    }
}
