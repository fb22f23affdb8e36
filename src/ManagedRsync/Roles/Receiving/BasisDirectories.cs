using ManagedRsync.Destination;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// The --compare-dest / --copy-dest / --link-dest directories of a receiving client (a pull or a local copy), opened
/// once (rsync main.c: check_alt_basis_dirs). A relative one is taken from the destination directory, as stock takes
/// it from its working directory after get_local_name's chdir; one that does not exist or is not a directory is
/// warned about with stock's words and then never matches. Each is a trusted root named by the local user (opened
/// as the destination root is); what is looked up inside it is reached component by component without following a
/// symlink, as everything in the destination is. Stock instead follows a symlink inside the basis tree when it is
/// owned by root or the user (generator.c: basis_link_stat's ownership walk): such an entry is no match here, and the
/// file is transferred instead.
/// </summary>
internal sealed class BasisDirectories : IDisposable
{
    private BasisDirectories(AltDestKind kind, ConfinedDirectory?[] directories, string[] shown)
    {
        Kind = kind;
        Directories = directories;
        Shown = shown;
    }

    /// <summary>How a match is used.</summary>
    public AltDestKind Kind { get; }

    /// <summary>In command-line order; null for one that could not be opened.</summary>
    public ConfinedDirectory?[] Directories { get; }

    /// <summary>
    /// Each directory as stock's receiver names it after check_alt_basis_dirs (main.c): a client's relative one joined
    /// to the destination (absolute), a daemon's relative one as sanitize_path left it (from the receiving directory)
    /// and an absolute one beneath the module's path. util1.c: full_fname quotes a basis file as this + "/" + name.
    /// </summary>
    public string[] Shown { get; }

    /// <summary>One of <see cref="Directories"/>, as <see cref="Shown"/> names it.</summary>
    public string ShownFor(ConfinedDirectory dir) => Shown[Array.IndexOf(Directories, dir)];

    /// <summary>
    /// Opens the basis directories of <paramref name="options"/>, relative ones against <paramref name="destinationRoot"/>,
    /// or null when there are none. <paramref name="destinationMissing"/>: a dry run did not make the destination, so,
    /// as stock does, one leading "../" is taken off against the destination's parent.
    /// </summary>
    public static BasisDirectories? Open(TransferOptions options, string destinationRoot, bool destinationMissing, ITransferLog log,
        OptionDirectoryResolver? resolver = null)
    {
        if (options.AltDest == AltDestKind.None || options.AltDestDirs.Count == 0)
            return null;
        string current = Path.GetFullPath(destinationRoot).TrimEnd('/');
        if (current.Length == 0)
            current = "/";
        var opened = new ConfinedDirectory?[options.AltDestDirs.Count];
        var shownNames = new string[opened.Length];
        string? rejection = null;
        for (int j = 0; j < opened.Length; j++)
        {
            string dir = options.AltDestDirs[j];
            if (dir.Length > 1 && dir.EndsWith('/'))
                dir = dir[..^1];
            string shown;
            if (resolver is not null)
            {
                (string? full, shown, string? rejected) = resolver(current, dir, mayClimb: true);
                rejection ??= rejected;
                // A link out of the module: no basis in it, and nothing outside is looked at to say so.
                if (full is null)
                    continue;
                dir = full;
            }
            else if (!dir.StartsWith('/'))
            {
                string baseDir = current;
                if (destinationMissing && dir.StartsWith("../", StringComparison.Ordinal))
                {
                    baseDir = Path.GetDirectoryName(current) ?? "/";
                    dir = dir[3..];
                }
                dir = (baseDir == "/" ? "" : baseDir) + "/" + dir;
                shown = dir;
            }
            else
            {
                shown = dir;
            }
            shownNames[j] = shown;
            // main.c: check_alt_basis_dirs warns (stat follows symlinks) and keeps going.
            if (!Path.Exists(dir))
                log.Error($"{options.AltDest.OptionName()} arg does not exist: {shown}");
            else if (!Directory.Exists(dir))
                log.Error($"{options.AltDest.OptionName()} arg is not a dir: {shown}");
            else
            {
                try
                {
                    opened[j] = ConfinedDirectory.Open(dir, create: false, noAtime: options.OpenNoAtime);
                    opened[j]!.FakeSuper = options.FakeSuper;
                    opened[j]!.ReadsAcls = options.Acls;
                }
                catch (RsyncException e) when (e.IsLocalFileFailure)
                {
                    // Unreadable: no match in it, as stock's failing lstat gives none.
                }
            }
        }
        var result = new BasisDirectories(options.AltDest, opened, shownNames);
        // main.c: do_server_recv checks a daemon module's rules on the basis directories after check_alt_basis_dirs
        // has warned about them ("Your options have been rejected by the server.", RERR_SYNTAX).
        if (rejection is not null)
        {
            result.Dispose();
            throw new RsyncException(RsyncErrorKind.Usage, rejection);
        }
        return result;
    }

    public void Dispose()
    {
        foreach (ConfinedDirectory? directory in Directories)
            directory?.Dispose();
    }
}
