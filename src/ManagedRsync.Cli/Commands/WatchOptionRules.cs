using ManagedRsync.Cli.Options;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// Which rsync options each kind of `mrsync watch` replica honours. The options are parsed by the CLI's own table
/// (<see cref="OptionParser"/>); an option a replica cannot honour is refused by name with exit 4 when the watch
/// starts, never dropped. A daemon replica is pushed to by the push client, so it honours what a push honours, except
/// the options that would change what the watch is (a listing, a fixed file list, -R paths, per-run reports). A local
/// replica is copied by the local-copy engine with the same requests, so it honours the same options, except those of
/// a daemon connection. A replica over a remote shell is pushed to as `mrsync SRC/ HOST:PATH` pushes.
/// </summary>
internal static class WatchOptionRules
{
    /// <summary>Options that only shape a daemon connection; a local replica has none.</summary>
    private static readonly HashSet<string> ConnectionOnly = new(StringComparer.Ordinal)
    {
        "--password-file", "--port", "--address", "--contimeout", "--no-contimeout", "--ipv4", "--ipv6",
    };

    /// <summary>Options that only shape a remote shell; daemon and local replicas have none.</summary>
    private static readonly HashSet<string> ShellOnly = new(StringComparer.Ordinal)
    {
        "--rsh", "--rsync-path", "--secluded-args", "--old-args",
    };

    /// <summary>Options a push honours that a watch cannot: each changes what is sent or prints a per-run report.</summary>
    private static readonly Dictionary<string, string> DaemonRefuses = new(StringComparer.Ordinal)
    {
        ["--list-only"] = "a watch transfers",
        ["--files-from"] = "the watch sends the changed paths",
        ["--relative"] = "the watch sends paths relative to SRC",
        ["--no-relative"] = "the watch sends paths relative to SRC",
        ["--dirs"] = "the watch always recurses",
        ["--no-dirs"] = "the watch always recurses",
        ["--remove-source-files"] = "a watch replicates the tree, it does not move it",
        ["--remove-sent-files"] = "a watch replicates the tree, it does not move it",
        ["--no-recursive"] = "the watch always recurses",
        ["--stats"] = "the watch logs one line per batch",
        ["--progress"] = "the watch logs one line per batch",
        ["-P"] = "the watch logs one line per batch (give --partial alone)",
        ["--itemize-changes"] = "the watch logs file names with -v",
        ["--human-readable"] = "the watch log prints plain numbers",
        ["--motd"] = "the watch does not print the daemon's MOTD",
        ["--version"] = "run mrsync --version",
    };

    /// <summary>Options that choose what is preserved; without any, a daemon replica is pushed with -a.</summary>
    private static readonly HashSet<string> Preservation = new(StringComparer.Ordinal)
    {
        "--archive", "--recursive", "--links", "--perms", "--times", "--group", "--owner", "-D", "--devices",
        "--specials", "--hard-links",
    };

    /// <summary>Parses rsync options with the CLI's table; <paramref name="where"/> names the target in errors.</summary>
    public static RsyncOptions Parse(IReadOnlyList<string> words, ICollection<string>? given, string? where)
    {
        try
        {
            return OptionParser.Parse(words, given);
        }
        catch (OptionException e)
        {
            // A usage error stock would give is exit 1; a stock option mrsync does not implement is refused with exit 4.
            throw new RsyncException(e.Kind, where is null ? e.Message : $"{where}: {e.Message}");
        }
    }

    /// <summary>True when the options say nothing about what to preserve (then a daemon replica gets -a).</summary>
    public static bool LeavesPreservationOpen(IEnumerable<string> given) =>
        !given.Any(n => Preservation.Contains(n) || n.StartsWith("--no-", StringComparison.Ordinal));

    /// <exception cref="RsyncException">Exit 4, naming the first option a local replica cannot honour: what no watch
    /// can, and the options of a daemon connection.</exception>
    public static void CheckLocal(IReadOnlyCollection<string> given, string target)
    {
        CheckDaemon(given, target);
        foreach (string name in given)
        {
            if (ConnectionOnly.Contains(name))
                throw Refused($"{Display(name)} is not supported for a local replica ({target}): it shapes a daemon connection");
        }
    }

    /// <exception cref="RsyncException">Exit 4, naming the first option a daemon replica of a watch cannot honour.</exception>
    public static void CheckDaemon(IReadOnlyCollection<string> given, string target)
    {
        CheckWatch(given, target);
        foreach (string name in given)
        {
            if (ShellOnly.Contains(name))
                throw Refused($"{Display(name)} is not supported for a daemon or local replica ({target}): it shapes a remote shell ([USER@]HOST:PATH)");
        }
    }

    /// <summary>
    /// A replica over a remote shell honours what a push over one honours (-e, --rsync-path, -s, --old-args, -4/-6).
    /// </summary>
    /// <exception cref="RsyncException">Exit 1 with stock's message for the daemon-only options stock refuses with a
    /// remote shell (main.c: start_client); exit 4 for the other connection options and what no watch can honour.</exception>
    public static void CheckShell(IReadOnlyCollection<string> given, string target)
    {
        CheckWatch(given, target);
        foreach (string name in given)
        {
            if (name == "--password-file")
                throw Usage($"{target}: The --password-file option may only be used when accessing an rsync daemon.");
            if (name == "--contimeout")
                throw Usage($"{target}: The --contimeout option may only be used when connecting to an rsync daemon.");
            if (name is "--port" or "--address")
                throw Refused($"{Display(name)} is not supported for a replica over a remote shell ({target}): it shapes a daemon connection");
        }
    }

    private static void CheckWatch(IReadOnlyCollection<string> given, string target)
    {
        foreach (string name in given)
        {
            if (DaemonRefuses.TryGetValue(name, out string? why))
                throw Refused($"{Display(name)} is not supported by mrsync watch ({target}): {why}");
        }
    }

    private static RsyncException Usage(string message) => new(RsyncErrorKind.Usage, message);

    private static RsyncException Refused(string message) => new(RsyncErrorKind.Unsupported, message);

    /// <summary>"--compress (-z)": the canonical name with the letter, as the user may have typed either.</summary>
    private static string Display(string name)
    {
        OptionSpec? spec = OptionTable.All.FirstOrDefault(s => s.Name == name);
        return spec is { Short: not '\0', Long: not null } ? $"{name} (-{spec.Short})" : name;
    }
}
