namespace ManagedRsync.Cli.Options;

/// <summary>
/// The options being parsed plus the few stock variables whose final meaning is only settled once the whole
/// command line has been read (rsync options.c: parse_arguments after its popt loop), and the first option
/// mrsync refuses.
/// </summary>
internal sealed class OptionState
{
    public RsyncOptions Options { get; } = new();

    /// <summary>options.c recurse: 0, 1 when implied by -a, 2 when -r was given.</summary>
    public int Recurse { get; set; }

    /// <summary>options.c xfer_dirs while parsing: -1 until -d (2) or --no-d (0) is given.</summary>
    public int XferDirs { get; set; } = -1;

    /// <summary>options.c relative_paths: -1 until -R or --no-R is given.</summary>
    public int Relative { get; set; } = -1;

    /// <summary>options.c do_compression while parsing: the number of -z.</summary>
    public int Compress { get; set; }

    /// <summary>options.c preserve_hard_links: the number of -H.</summary>
    public int HardLinks { get; set; }

    /// <summary>options.c delete_mode, delete_before, delete_during (1 during, 2 delay), delete_after.</summary>
    public bool DeleteMode { get; set; }
    public bool DeleteBefore { get; set; }
    public int DeleteDuring { get; set; }
    public bool DeleteAfter { get; set; }

    /// <summary>Receives the canonical name of each option given, when the caller asks (OptionParser.Parse).</summary>
    public ICollection<string>? Given { get; init; }

    /// <summary>The first stock option mrsync does not implement, as written; reported once parsing is done.</summary>
    public string? Refused { get; set; }
}
