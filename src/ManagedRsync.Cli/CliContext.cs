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

    /// <summary>
    /// Standard input as bytes (names that are not UTF-8 must keep their bytes); null in tests that give only
    /// <see cref="In"/>, whose text is then taken as UTF-8.
    /// </summary>
    public Func<Stream>? OpenInBytes { get; init; }

    /// <summary>Standard output and error as bytes (-8 writes a name's bytes as they are); null in tests.</summary>
    public Func<Stream>? OpenOutBytes { get; init; }
    public Func<Stream>? OpenErrorBytes { get; init; }

    /// <summary>All of standard input, as bytes.</summary>
    public byte[] ReadAllInBytes()
    {
        if (OpenInBytes is null)
            return System.Text.Encoding.UTF8.GetBytes(In.ReadToEnd());
        using var buffer = new MemoryStream();
        using (Stream stdin = OpenInBytes())
            stdin.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Whether standard input is a terminal (rsync only prompts for a password then).</summary>
    public bool StdinIsTerminal { get; init; }

    /// <summary>The client's --log-file, open for the run; null without one (or when it could not be opened).</summary>
    public Output.ClientLog? Log { get; init; }

    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The newline a progress line owes (log.c: output_needs_newline); null without progress output.</summary>
    public Output.OwedNewline? Newline { get; init; }

    /// <summary>Cancelled on Ctrl-C / SIGTERM in the real process.</summary>
    public CancellationToken Cancellation { get; init; }

    public static CliContext FromConsole(CancellationToken cancellation = default) => new()
    {
        Out = Console.Out,
        Error = Console.Error,
        In = Console.In,
        OpenInBytes = Console.OpenStandardInput,
        OpenOutBytes = Console.OpenStandardOutput,
        OpenErrorBytes = Console.OpenStandardError,
        StdinIsTerminal = !Console.IsInputRedirected,
        Cancellation = cancellation,
    };
}
