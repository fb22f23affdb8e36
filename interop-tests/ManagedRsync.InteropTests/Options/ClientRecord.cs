using System.Text;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// What one client sent to the <see cref="RecordingDaemon"/>: the server argument vector, the protected arguments
/// (--secluded-args), the negotiation lists, the filter list, the forwarded --files-from names and a push's file list
/// (names and modes), each kept as the client's bytes.
/// </summary>
public sealed class ClientRecord
{
    public string Module { get; set; } = "";

    /// <summary>The version in the client's greeting and the one the session runs at (the lower of the two).</summary>
    public int ClientProtocol { get; set; }

    public int Protocol { get; set; }

    /// <summary>rsync clientserver.c: the "#early_input=LEN" block sent before the module name.</summary>
    public byte[]? EarlyInput { get; set; }

    /// <summary>The "USER RESPONSE" line answering the challenge, for a module that asks for a password.</summary>
    public string? AuthResponse { get; set; }

    public List<byte[]> Args { get; } = [];

    /// <summary>With --secluded-args, the arguments sent after the clear ones (rsync.c: send_protected_args).</summary>
    public List<byte[]>? ProtectedArgs { get; set; }

    public string? ChecksumList { get; set; }

    public string? CompressList { get; set; }

    /// <summary>The rules as sent; null when the server does not read a list (exclude.c: recv_filter_list).</summary>
    public List<byte[]>? Filters { get; set; }

    /// <summary>The names a pulling client forwards for --files-from=- (io.c: forward_filesfrom_data).</summary>
    public List<byte[]>? FilesFrom { get; set; }

    /// <summary>A pushing client's file list: each name (escaped) and its octal mode, in the order sent.</summary>
    public List<string>? FileList { get; set; }

    /// <summary>How the recording ended: "complete", or what the daemon was waiting for when the client went away.</summary>
    public string End { get; set; } = "";

    /// <summary>Every argument, clear and protected, as the server would see them (protected arg 0 is "rsync").</summary>
    public IEnumerable<byte[]> AllArgs => ProtectedArgs is null ? Args : Args.Concat(ProtectedArgs.Skip(1));

    /// <summary>
    /// The record as text, one item per line, with the module name replaced by MOD so that two clients that
    /// used different modules compare equal. Bytes outside printable ASCII are written \xNN.
    /// </summary>
    /// <param name="withoutIncRecurse">
    /// Leave the capability letter 'i' (incremental recursion, options.c: maybe_add_e_option) out of the
    /// short-option argument, on both sides of a comparison: mrsync offers it only where it implements incremental
    /// recursion (Session/IncrementalRecursion.Offered, pinned by ServerArgumentsTests.PullOffersIncrementalRecursion),
    /// and a daemon that gets no 'i' sends the whole file list first (compat.c: setup_protocol).
    /// </param>
    public string Render(bool withoutIncRecurse = false)
    {
        var text = new StringBuilder();
        text.Append("protocol ").Append(Protocol).Append(" (client ").Append(ClientProtocol).Append(")\n");
        if (EarlyInput is not null)
            text.Append("early-input ").Append(Escape(EarlyInput)).Append('\n');
        if (AuthResponse is not null)
            text.Append("auth ").Append(AuthResponse).Append('\n');
        string? shortOptions = ServerView.ShortOptionArg(Args.Select(a => Encoding.Latin1.GetString(a)));
        foreach (byte[] arg in Args)
        {
            string escaped = Escape(arg);
            if (withoutIncRecurse && escaped == shortOptions && escaped.IndexOf('e', StringComparison.Ordinal) is > 0 and int e)
                escaped = escaped[..e] + escaped[e..].Replace("i", "", StringComparison.Ordinal);
            text.Append("arg ").Append(escaped).Append('\n');
        }
        if (ProtectedArgs is not null)
        {
            foreach (byte[] arg in ProtectedArgs)
                text.Append("protected-arg ").Append(Escape(arg)).Append('\n');
        }
        if (ChecksumList is not null)
            text.Append("checksum-list ").Append(ChecksumList).Append('\n');
        if (CompressList is not null)
            text.Append("compress-list ").Append(CompressList).Append('\n');
        if (Filters is null)
        {
            text.Append("filter-list (not read by the server)\n");
        }
        else
        {
            foreach (byte[] rule in Filters)
                text.Append("filter ").Append(Escape(rule)).Append('\n');
            text.Append("filter-list end\n");
        }
        if (FilesFrom is not null)
        {
            foreach (byte[] name in FilesFrom)
                text.Append("files-from ").Append(Escape(name)).Append('\n');
            text.Append("files-from end\n");
        }
        if (FileList is not null)
        {
            foreach (string entry in FileList)
                text.Append("file ").Append(entry).Append('\n');
            text.Append("file-list end\n");
        }
        text.Append("end: ").Append(End).Append('\n');
        return Module.Length == 0 ? text.ToString() : text.ToString().Replace(Module, "MOD", StringComparison.Ordinal);
    }

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and < 0x7F && b != '\\')
                text.Append((char)b);
            else
                text.Append("\\x").Append(b.ToString("X2"));
        }
        return text.ToString();
    }
}
