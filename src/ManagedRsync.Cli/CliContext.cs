namespace ManagedRsync.Cli;

/// <summary>
/// The process surroundings a command reads and writes: standard streams and environment. Commands take it instead
/// of touching <see cref="Console"/> and <see cref="Environment"/> so tests can run them in-process, side by side.
/// </summary>
internal sealed record CliContext
{
    public required TextWriter Out { get; init; }
    public required TextWriter Error { get; init; }
    public required TextReader In { get; init; }

    /// <summary>Whether standard input is a terminal (rsync only prompts for a password then).</summary>
    public bool StdinIsTerminal { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Cancelled on Ctrl-C / SIGTERM in the real process.</summary>
    public CancellationToken Cancellation { get; init; }

    public static CliContext FromConsole(CancellationToken cancellation = default) => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        StdinIsTerminal = !Console.IsInputRedirected,
        Cancellation = cancellation,
    };
}
