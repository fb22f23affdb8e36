namespace ManagedRsync.Server;

/// <summary>
/// What a client asked of a server in its argument vector (rsync options.c: server_options builds it, parse_arguments
/// reads it on the server): the role, the transfer's options, the capability letters after <c>-e.</c>, and the paths
/// after the <c>.</c> separator.
/// </summary>
public sealed record ServerRequest
{
    /// <summary>--sender: the server sends (a pull by the client); otherwise it receives (generator and receiver).</summary>
    public bool IsSender { get; init; }

    /// <summary>The options the server honours, as the client gave them.</summary>
    public required TransferOptions Options { get; init; }

    /// <summary>The letters after "-e." (compat.c: client_info): what the client can do, read by setup_protocol.</summary>
    public string ClientInfo { get; init; } = "";

    /// <summary>Whether the client spoke with "-e" at all (a client below protocol 30 sends none).</summary>
    public bool HasClientInfo { get; init; }

    /// <summary>The arguments after ".": the source paths of a sender, the destination of a receiver.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>--log-format as the client sent it (the server only learns from it whether to itemize).</summary>
    public string? LogFormat { get; init; }

    /// <summary>The long names of the options given, for the daemon's "refuse options" (options.c: set_refuse_options).</summary>
    public IReadOnlyList<string> OptionNames { get; init; } = [];

    /// <summary>--filter rules in the vector, in order (a sending server's own list starts with them, options.c: OPT_FILTER).</summary>
    public IReadOnlyList<string> FilterRules { get; init; } = [];

    /// <summary>
    /// --files-from as the client sent it: "-" (the names follow the filter list on the connection, NUL-ended, an empty
    /// name ends them: io.c forward_filesfrom_data) or a file on the server's side; null without one.
    /// </summary>
    public string? FilesFrom { get; init; }

    /// <summary>--from0 (-0): a list file's names end at NUL rather than at a line break.</summary>
    public bool From0 { get; init; }
}
