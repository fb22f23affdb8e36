namespace ManagedRsync.Cli.Options;

/// <summary>Which way a command line transfers: to a daemon, from a daemon, or between two local paths.</summary>
internal enum TransferDirection
{
    Push,
    Pull,
    Local,
}

/// <summary>
/// Options the command line accepts that are not done in every direction yet. On a push most of issue 11's options are
/// the receiving daemon's work (stock's client only sends them: options.c server_options); on a pull and in a local
/// copy our own generator and receiver must do them. An option given where it is not done is refused by name with
/// exit 4, never dropped.
/// </summary>
internal static class DirectionSupport
{
    private sealed record Row(string Name, Func<RsyncOptions, bool> Given, params TransferDirection[] Done);

    private const TransferDirection Push = TransferDirection.Push;
    private static readonly TransferDirection[] Everywhere = [TransferDirection.Push, TransferDirection.Pull, TransferDirection.Local];

    // In the order a user would look for them (stock's --help order); the first one given and not done is named.
    private static readonly Row[] Rows =
    [
        // The receiver's --info lines that only a stock receiver prints: on a push the daemon's, which the client shows.
        // backup.c / generator.c / main.c: "backed up NAME to BACKUP", "(new) backup_dir is DIR" (Roles/Receiving/Backups.cs).
        new("--info=backup", o => InfoSupport.Raised(o.InfoGiven, InfoFlag.Backup), Everywhere),
        // generator.c: recv_generator's SKIP2 suffixes (" (type change)", " (sum change)", ...) to "NAME exists"
        // (Roles/Generator/GeneratorRole.Requests.cs: ExistsSuffix).
        new("--info=skip2", o => o.InfoGiven.IsSet(InfoFlag.Skip) && o.InfoGiven[InfoFlag.Skip] >= 2, Everywhere),
        // generator.c / rsync.c: set_file_attrs — info=name2 without itemizing says "NAME is uptodate" for each unchanged
        // entry (ATTRS_REPORT; Roles/Generator/GeneratorRole.Itemize.cs ReportAttributes), and a hard link already in
        // place (hlink.c: maybe_hard_link). The same line of an entry a basis directory settles (generator.c:
        // try_dests_reg, try_dests_non; hlink.c's link-dest match) is not made by our generator yet.
        new("--info=name2 without --itemize-changes (-i) with --compare-dest, --copy-dest or --link-dest",
            o => InfoSupport.UnchangedNamesWithoutItemizing(o) && o.AltDest != AltDestKind.None, Push),
        // generator.c: recv_generator — with -v and a log format without %i, a pulling client's generator logs the
        // directories, symlinks and devices it makes as bare names (rprintf(FLOG) with code FLOG; GeneratorRole.LogMade).
        // Below protocol 29 the code is FINFO: the same lines on stdout too, which ours does not print.
        new("--log-file-format without %i with --verbose (-v) below --protocol=29", o => o.LogFileFormat is { } f && !LogFormat.Has(f, 'i')
            && o.Info.Gte(InfoFlag.Name, 1) && o.Protocol is > 0 and < 29, Push, TransferDirection.Local),
        new("--backup", o => o.Backup && o.BackupDir is null, Everywhere),
        new("--backup-dir", o => o.BackupDir is not null, Everywhere),
        new("--suffix", o => o.BackupSuffix is not null && o.BackupSuffix != (o.BackupDir is null ? "~" : ""), Everywhere),
        new("--update", o => o.Update, Everywhere),
        new("--mkpath", o => o.MakePath, Everywhere),
        new("--chown", o => o.UserMapViaChown || o.GroupMapViaChown, Everywhere),
        new("--usermap", o => o.UserMap is not null && !o.UserMapViaChown, Everywhere),
        new("--groupmap", o => o.GroupMap is not null && !o.GroupMapViaChown, Everywhere),
        new("--sparse", o => o.Sparse, Everywhere),
        new("--preallocate", o => o.Preallocate, Everywhere),
        new("--existing (--ignore-non-existing)", o => o.Existing, Everywhere),
        new("--ignore-existing", o => o.IgnoreExisting, Everywhere),
        new("--ignore-errors", o => o.IgnoreErrors, Everywhere),
        new("--force", o => o.Force, Everywhere),
        new("--max-delete", o => o.MaxDelete is not null, Everywhere),
        new("--max-size", o => o.MaxSize is not null, Everywhere),
        new("--min-size", o => o.MinSize is not null, Everywhere),
        // Our receiver keeps a relative partial directory inside each file's directory and an absolute one where it
        // is (Roles/Receiving/PartialDirs.cs). A '..' left after options.c's clean_fname makes stock 3.5.0's client
        // fail every rename into it (EINVAL from its confined rename, exit 23; protocol-notes 43): not imitated.
        new("--partial-dir with a '..' component",
            o => o.PartialDir is { } dir && dir.TrimStart('/').Split('/').Any(c => c is ".." or "." or ""), Push),
        new("--partial-dir", o => o.PartialDir is not null && !o.PartialDirImplied, Everywhere),
        new("--delay-updates", o => o.DelayUpdates, Everywhere),
        new("--modify-window", o => o.ModifyWindow is not null, Everywhere),
        new("--fuzzy", o => o.Fuzzy > 0, Everywhere),
        new("--compare-dest", o => o.AltDest == AltDestKind.Compare, Everywhere),
        new("--copy-dest", o => o.AltDest == AltDestKind.Copy, Everywhere),
        new("--link-dest", o => o.AltDest == AltDestKind.Link, Everywhere),
        new("--fsync", o => o.Fsync, Everywhere),

        // Our receiver writes in place without a backup copy first (generator.c: the --inplace -b back_file), without
        // holes (a skipped zero run would keep old data) and over the destination's own file only.
        // generator.c: recv_generator's --inplace backup resolves the backup name with the operator-path walk, which
        // refuses a ".." component (EINVAL): stock 3.5.0 leaves a backup without the old file's attributes and exits
        // 23. Not imitated.
        new("--inplace with a --backup-dir that has a '..' component", o => o.Inplace && o.Backup && o.BackupDir is { } dir
            && dir.Split('/').Contains(".."), Push),
        // Stock 3.5.0 loses the kept start here (protocol-notes 48): in a local copy its receiver empties the file
        // first (whole_file on: receiver.c receive_data), on a pull a tail that begins with zeros is punched out from
        // offset 0 (fileio.c: sparse_past_write starts at 0, not at the kept length) and fails with exit 11. Not imitated.
        new("--append with --sparse", o => o.AppendMode > 0 && o.Sparse, Push),
        // Stock 3.5.0 with --append and a basis directory takes the basis file's length as the receiver's: a file no
        // longer than it is skipped (and left missing), a longer one written from that offset over nothing, its start
        // left zeros, exit 0 (measured; protocol-notes 61). Not imitated.
        new("--append with --compare-dest, --copy-dest or --link-dest", o => o.AppendMode > 0 && o.AltDest != AltDestKind.None, Push),
        new("--checksum-seed", o => o.ChecksumSeed != 0, Everywhere),
        // options.c: am_root 2 — a receiver that is not root tries chown and mknod and reports each EPERM (rsync.c:
        // set_file_attrs, generator.c); our receiver's words for those failures are not stock's yet. As root it is
        // the default.
        new("--super without root rights", o => o.Super == SuperMode.Super && !TransferOptions.RunsAsRoot, Push),
        // pipe.c: local_child parses a local copy's remote options into its receiving half's own options: done for
        // the options RemoteOptionsInLocalCopy lists, refused there by name for the others.
        new("--remote-option (-M)", o => o.RemoteOptions.Count > 0, Everywhere),
    ];

    /// <exception cref="RsyncException">Exit 4 naming the first option given that <paramref name="direction"/> does not do yet.</exception>
    public static void Check(RsyncOptions o, TransferDirection direction)
    {
        foreach (Row row in Rows)
        {
            if (row.Given(o) && !row.Done.Contains(direction))
            {
                string where = direction == TransferDirection.Pull ? "on a pull" : "with a local copy";
                throw new RsyncException(RsyncErrorKind.Unsupported, $"{row.Name} is not supported yet {where}");
            }
        }
    }

    /// <summary>For -V's capability report and the help: whether <paramref name="name"/> is done in every direction.</summary>
    public static bool DoneEverywhere(string name) =>
        Rows.FirstOrDefault(r => r.Name == name) is not { } row || row.Done.Length == 3;
}
