namespace ManagedRsync.Cli.Options;

/// <summary>
/// -M/--remote-option in a local copy (rsync pipe.c: local_child): the forked server parses the remote words with
/// parse_arguments on top of its copy of the client's options, so they change the receiving half (generator and
/// receiver) only. Done for the options whose whole effect is that half's and that were compared with stock's local
/// copy; any other word is refused by name (exit 4).
/// </summary>
internal static class RemoteOptionsInLocalCopy
{
    // Which files the generator asks for and how the receiver keeps what it replaces; nothing the sender or the wire
    // depends on (options that change the list, the protocol, the sender's reading or its filters are not here).
    private static readonly HashSet<string> Done =
        ["max-size", "min-size", "ignore-existing", "existing", "update", "size-only", "ignore-times", "backup", "suffix", "backup-dir"];

    /// <summary>
    /// The receiving half's options: the command line with the remote words after it (what parsing them on top of
    /// the client's options gives), or null when no -M was given.
    /// </summary>
    /// <exception cref="RsyncException">Exit 4 naming a remote option not done in a local copy.</exception>
    public static RsyncOptions? ReceivingHalf(RsyncOptions o, Func<string, string?> environment)
    {
        if (o.RemoteOptions.Count == 0)
            return null;
        List<string> given = [];
        try
        {
            OptionParser.Parse([.. o.RemoteOptions], given, environment);
        }
        catch (OptionException e)
        {
            // Stock's child prints the error and exits 1, and the client ends with exit 12 ("connection unexpectedly
            // closed"); not imitated.
            throw new RsyncException(RsyncErrorKind.Unsupported,
                $"--remote-option (-M) words the receiving half rejects ({e.Message}) are not supported yet with a local copy");
        }
        given = [.. given.Select(name => name.TrimStart('-'))];
        if (given.FirstOrDefault(name => !Done.Contains(name)) is { } other)
        {
            throw new RsyncException(RsyncErrorKind.Unsupported,
                $"--remote-option (-M) with --{other} is not supported yet with a local copy");
        }
        RsyncOptions receiving;
        try
        {
            receiving = OptionParser.Parse([.. o.RawArgs, .. o.RemoteOptions], null, environment);
        }
        catch (OptionException e)
        {
            throw new RsyncException(RsyncErrorKind.Unsupported,
                $"--remote-option (-M) words the receiving half rejects ({e.Message}) are not supported yet with a local copy");
        }
        // options.c: parse_arguments settles the suffix once ("~", or "" with --backup-dir) and the child's second
        // parse starts from the client's settled value: a remote --backup-dir alone keeps "~" (stock's bk/NAME~).
        if (!given.Contains("suffix"))
            receiving.BackupSuffix = o.BackupSuffix;
        // options.c: the protect rule for in-place backups under --delete ("P *~") is added by the parse that sees
        // both; a remote -b under a client's --delete would add it to the child's rules only, which our two halves
        // share.
        if (receiving.Backup && !o.Backup && o.Delete != DeleteTiming.None)
        {
            throw new RsyncException(RsyncErrorKind.Unsupported,
                "--remote-option (-M) with --backup and --delete is not supported yet with a local copy");
        }
        return receiving;
    }
}
