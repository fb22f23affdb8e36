namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// The few facts the server side of the setup needs from the client's arguments, read from them as a 3.5.0 server
/// parses them (options.c: parse_arguments with am_server): whether it is the sender, whether names are negotiated,
/// whether it reads a filter list and forwarded --files-from names.
/// </summary>
internal sealed class ServerView
{
    public ServerView(IReadOnlyList<string> args, int protocol)
    {
        IsSender = args.Contains("--sender");
        string shortArg = ShortOptionArg(args) ?? "-";
        int e = shortArg.IndexOf('e', StringComparison.Ordinal);
        string letters = e < 0 ? shortArg[1..] : shortArg[1..e];
        Letters = letters;
        ClientInfo = e < 0 ? "" : shortArg[(e + 1)..];

        ChecksumChoiceName = args.Where(a => a.StartsWith("--checksum-choice=", StringComparison.Ordinal))
            .Select(a => a["--checksum-choice=".Length..].Split(',')[0]).LastOrDefault();
        NumericIds = args.Contains("--numeric-ids");
        // options.c: server_options sends 'D' for devices and, apart from it, --no-specials or --specials.
        Specials = letters.Contains('D') ? !args.Contains("--no-specials") : args.Contains("--specials");

        // options.c: 'z' counts, --old-compress/--new-compress name zlib/zlibx, --compress-choice names one ("auto"
        // is no choice, "none" is no compression), and a level alone turns compression on (CPRES_AUTO).
        string? compressChoice = null;
        foreach (string a in args)
        {
            if (a == "--old-compress")
                compressChoice = "zlib";
            else if (a == "--new-compress")
                compressChoice = "zlibx";
            else if (a.StartsWith("--compress-choice=", StringComparison.Ordinal))
                compressChoice = a["--compress-choice=".Length..];
        }
        if (compressChoice == "auto")
            compressChoice = null;
        bool compress = letters.Contains('z') || compressChoice is not null
            || args.Any(a => a.StartsWith("--compress-level=", StringComparison.Ordinal));
        if (compressChoice == "none")
            compress = false;
        NegotiatesCompression = compress && compressChoice is null;

        // exclude.c: recv_filter_list: a sending server always reads the list; a receiving one only when
        // prune_empty_dirs || (delete_mode && (!delete_excluded || protocol >= 29)), delete_mode being set by any
        // --delete-WHEN and by --delete-excluded (options.c).
        bool deleteExcluded = args.Contains("--delete-excluded");
        bool deleteMode = deleteExcluded || args.Any(a => a is "--delete" or "--delete-before" or "--delete-during"
            or "--delete-delay" or "--delete-after");
        ReadsFilterList = IsSender || letters.Contains('m') || (deleteMode && (!deleteExcluded || protocol >= 29));

        // options.c: server_options sends "--files-from=-" when a pulling client forwards a local list.
        FilesFromClient = args.Contains("--files-from=-");
    }

    public bool IsSender { get; }

    /// <summary>The capability letters after "e" in the short-option argument (options.c: maybe_add_e_option).</summary>
    public string ClientInfo { get; }

    /// <summary>The single-letter options before the "e" (options.c: server_options' argstr).</summary>
    public string Letters { get; }

    public bool ChecksumChoice => ChecksumChoiceName is not null;

    /// <summary>The transfer checksum named by --checksum-choice (its first half), if any.</summary>
    public string? ChecksumChoiceName { get; }

    public bool NumericIds { get; }

    public bool Specials { get; }

    public bool NegotiatesCompression { get; }

    public bool ReadsFilterList { get; }

    public bool FilesFromClient { get; }

    /// <summary>
    /// The single short-option argument options.c: server_options puts right after "--server" (and "--sender"), or
    /// null when the client had no letter to send.
    /// </summary>
    public static string? ShortOptionArg(IEnumerable<string> args)
    {
        foreach (string a in args.Skip(1).Take(2))
        {
            if (a == "--sender")
                continue;
            return a.StartsWith('-') && !a.StartsWith("--", StringComparison.Ordinal) ? a : null;
        }
        return null;
    }
}
