using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// rsync generator.c: itemize — what the generator tells the sender (and the log) about an entry it settled.
internal sealed partial class GeneratorRole
{
    /// <summary>
    /// An entry the generator settled itself: it is itemized to the sender as stock's generator does (from protocol
    /// 29, when something significant changed or -ii / -vv asks for every entry; generator.c: itemize), which the
    /// sender echoes back (and counts) before its answer to the next request, and its line is printed. A hard link
    /// carries its leader's name as the xname and is always itemized when it has one.
    /// </summary>
    private void Settle(int ndx, FileEntry file, ItemChanges iflags, byte[]? xname = null)
    {
        // generator.c: itemize — a --read-batch run's generator says nothing ("&& !read_batch"): the lines come from the
        // itemizations the batch holds, as the receiver reads them.
        if (run.Batch is not null)
            return;
        iflags = WithXattrs(ndx, file, iflags);
        bool named = xname is { Length: > 0 };
        if (Protocol >= 29
            && ((iflags & ItemLog.Significant) != 0 || ItemLog.Level(Options) > 1 || _infoName2 || named))
        {
            NdxAndAttrs.Write(run.Connection, ndx, iflags, xname: xname);
            WriteXattrRequest(file, iflags);
            if (file.IsDirectory && XattrExchange.ReceiverSetsAttributes(Options, iflags))
                _setAgainByReceiver.Add(ndx);
        }
        // A hard link's line comes where stock's client prints it, when the sender echoes the itemization
        // (receiver.c: recv_files, maybe_log_item with the xname): after the lines of everything asked before it, i.e.
        // before the next entry of the walk, or after every entry once the walk is over.
        if ((iflags & ItemChanges.OtherNameFollows) != 0)
            run.LogItem(ndx, file, iflags, named ? FileNameEncoding.Display(xname) : null,
                before: _generating >= 0 ? _generating + 1 : Files.Count);
        else
            run.LogItem(ndx, file, iflags);
    }

    /// <summary>
    /// rsync.c: set_file_attrs with ATTRS_REPORT — at info=name2 (-vv) an up-to-date file, symlink or device the
    /// generator keeps says "NAME is uptodate", or "NAME" when an attribute of it was set (its kept time, permissions,
    /// owner as root, group: what unchanged_attrs compares). generator.c: generate_files asks for the report only when
    /// the stdout format has no %i (maybe_ATTRS_REPORT), and always on a server below protocol 29. An FCLIENT line: out
    /// on stdout, never in the --log-file.
    /// </summary>
    private void ReportAttributes(FileEntry file, EntryStatus local, string name)
    {
        if (!ReportsAttributes)
            return;
        string shown = FileNameEncoding.Display(name);
        SayUpToDate((ItemizeAgainst(file, local, ItemChanges.None) & AttributeChanges) != 0 ? shown : shown + " is uptodate");
    }

    // hlink.c: maybe_hard_link — a member already linked to its leader is "uptodate" without an attribute check.
    private void ReportUpToDateLink(string name)
    {
        if (ReportsAttributes)
            SayUpToDate(FileNameEncoding.Display(name) + " is uptodate");
    }

    private bool ReportsAttributes =>
        _infoName2 && (ItemLog.Level(Options) == 0 || (Protocol < 29 && run.IsServer));

    private void SayUpToDate(string line)
    {
        // The generator's own line, out at once as "deleting" (a pull's client prints it ahead of the names that wait
        // for the sender's echo).
        if (run.Order is { } order)
            order.AddNow(new OrderedLog.ClientLine(line));
        else
            run.Log.Client(line);
    }

    /// <summary>
    /// generator.c: generate_files picks the code recv_generator says each entry it makes itself with at info=name1,
    /// as a bare line (rprintf(code, ...): "DIR/", "LINK -> TARGET", "DEVICE", "NAME => LEADER"):
    /// <list type="bullet">
    /// <item>from protocol 29, FLOG when the log format has no %i: only to the log file (log.c: rwrite), a pulling
    /// client's --log-file or a daemon's log (whether or not the module logs transfers: without "transfer logging"
    /// logfile_format is unset and has no %i); a local copy's server half and a remote-shell server have none
    /// (pipe.c: local_child);</item>
    /// <item>below 29 on a daemon, FCLIENT (to the client only) when it itemizes itself (its log format has %i and
    /// the run is not dry) or in a dry run, else FINFO (to the client and the log, log.c: rwrite when am_daemon); on a
    /// remote-shell server FINFO (to the client). A client below 29 prints these entries as items
    /// (<see cref="ReceiveRun.LogItem"/>).</item>
    /// </list>
    /// </summary>
    private void LogMade(string line)
    {
        if (!Options.Info.Gte(InfoFlag.Name, 1))
            return;
        if (Protocol >= 29)
        {
            if (LogsMade && !Options.LogFileFormatHasI)
                run.Log.LogFile(line);
        }
        else if (run.IsServer)
        {
            bool daemon = run.Connection.DaemonLog is not null;
            if (daemon && (Options.LogFileFormatHasI || Options.DryRun))
                run.Log.Client(line);
            else
                run.Log.Info(line);
        }
    }

    // Whether LogMade says anything anywhere: from protocol 29 only to a log file; below it a server's lines reach
    // the client.
    private bool LogsMade => Protocol < 29 ? run.IsServer
        : run.IsServer ? run.Connection.DaemonLog is not null : Options.LogFileFormat is not null;

    // generator.c: recv_generator logs a directory ("NAME/") when set_file_attrs changed something on it: in a dry run
    // one that is not there (set_file_attrs without a stat returns 1 under dry_run), otherwise what differs from what
    // lstat finds now (a directory just made has mkdir's mode and time).
    private void LogMadeDirectory(FileEntry file, string name, EntryStatus? local, bool dry)
    {
        if (!LogsMade)
            return;
        EntryStatus? now = dry ? local : Destination?.Stat(name);
        if (now is null ? dry : (ItemizeAgainst(file, now, ItemChanges.None) & AttributeChanges) != 0)
            LogMade(FileNameEncoding.Display(name) + "/");
    }

    // generator.c: unchanged_attrs — the changes set_file_attrs would make to an entry kept as it is.
    private const ItemChanges AttributeChanges = ItemChanges.ModTime | ItemChanges.Permissions | ItemChanges.Owner | ItemChanges.Group;

    /// <summary>
    /// rsync generator.c: itemize — what differs between the sender's entry and what lstat found at its name
    /// (nothing found: ITEM_IS_NEW). Times are compared in whole seconds (util1.c: same_time with modify_window 0).
    /// </summary>
    /// <param name="file">The sender's entry.</param>
    /// <param name="local">What lstat found at its name.</param>
    /// <param name="iflags">The flags so far.</param>
    /// <param name="wanted">The entry's <see cref="ReceiveRun.AttributesFor"/>, when the caller has them (only the
    /// owner, group and ACLs are compared, which do not depend on the status passed there).</param>
    private ItemChanges ItemizeAgainst(FileEntry file, EntryStatus? local, ItemChanges iflags, EntryAttributes? wanted = null)
    {
        if (local is not { } st)
            return iflags | ItemChanges.IsNew;
        if (file.IsRegular && file.Size != st.Size)
            iflags |= ItemChanges.Size;
        bool timeDiffers = Options.KeepsTime(file.IsDirectory, file.IsSymlink)
            ? !UpdateRules.SameTime(Options, file, st)
            : (iflags & (ItemChanges.Transfer | ItemChanges.LocalChange)) != 0;
        if (timeDiffers)
            iflags |= ItemChanges.ModTime;
        // generator.c: itemize — -U: 'u' when the access time's seconds differ, for all but a directory or a symlink
        // (against the status read before set_file_attrs, as stock's sx).
        if (Options.Atimes && !file.IsDirectory && !file.IsSymlink && file.AccessTime != st.AtimeSeconds)
            iflags |= ItemChanges.AccessTime;
        // generator.c: recv_generator — an up-to-date file, device or special gets its attributes (set_file_attrs)
        // before it is itemized, and writing a changed access ACL there sets the status's permission bits to the
        // wanted ones (acls.c: set_rsync_acl, sxp->st.st_mode = cur_mode; not the fake-super branch, which returns before): its 'p' is not reported then.
        uint localMode = st.Mode;
        if (Options.Acls && !Options.FakeSuper && !file.IsDirectory && !file.IsSymlink && (iflags & (ItemChanges.Transfer | ItemChanges.LocalChange)) == 0
            && run.WantedAcls(file) is { } wantedAcls && st.Acls is { } haveAcls && !RsyncAcl.EqualEnough(haveAcls.Access, wantedAcls.Access, file.Mode))
            localMode = (localMode & ~0x1FFu) | ((uint)file.Mode & 0x1FF);
        if (Options.Perms && !file.IsSymlink && (localMode & 0xFFF) != ((uint)file.Mode & 0xFFF))
            iflags |= ItemChanges.Permissions;
        // generator.c: itemize — with -E (no -p) when the file's x bits come or go (file->mode already dest_mode's).
        else if (run.ExecutabilityFor(file, st) is { } mode && ((mode & 0x49) != 0) != ((st.Permissions & 0x49) != 0))
            iflags |= ItemChanges.Permissions;
        if ((wanted ?? run.AttributesFor(file, isNew: false)) is var attributes)
        {
            if (attributes.Uid is { } uid && uid != st.Uid)
                iflags |= ItemChanges.Owner;
            if (attributes.Gid is { } gid && gid != st.Gid)
                iflags |= ItemChanges.Group;
            // generator.c: itemize — ITEM_REPORT_ACL when set_acl with no name says the ACLs differ (acls.c:
            // set_acl_fdat); the status carries what the destination's entry has (ConfinedDirectory.ReadsAcls).
            if (attributes.Acls is { } acls && !file.IsSymlink && st.Acls is { } have && AclStore.Differ(have, acls, file.Mode))
                iflags |= ItemChanges.Acl;
        }
        return iflags;
    }

    // rsync receiver.c: the created counts follow ITEM_IS_NEW by kind (regular files are counted by the receiver).
    private void CountCreated(FileEntry file)
    {
        run.Stats.CreatedFiles++;
        if (file.IsDirectory) run.Stats.CreatedDirs++;
        else if (file.IsSymlink) run.Stats.CreatedSymlinks++;
        else if (file.IsDevice) run.Stats.CreatedDevices++;
        else if (file.IsSpecial) run.Stats.CreatedSpecials++;
    }
}
