namespace ManagedRsync.Cli.Options;

/// <summary>What follows an option on the command line (rsync's popt argInfo: NONE/VAL, INT, STRING).</summary>
internal enum OptionArgument
{
    /// <summary>A flag: a value ("--stats=1", "-v=") is popt's "option does not take an argument".</summary>
    None,
    /// <summary>A number read as C strtoll(base 0) reads it, within int's range.</summary>
    Int,
    /// <summary>Any text: "--opt=V", "--opt V", "-oV", "-o V", "-o=V".</summary>
    String,
}

/// <summary>
/// One row of rsync 3.5.0's popt table (options.c: long_options): a long name or a short letter (or both), the
/// argument it takes, and what it does here. A null <see cref="Apply"/> means the option is known to stock rsync
/// but not implemented by mrsync: it is parsed like stock (so its argument is consumed and checked) and then
/// refused by name with exit 4.
/// </summary>
internal sealed record OptionSpec(string? Long, char Short, OptionArgument Argument, Action<OptionState, OptionValue>? Apply)
{
    public bool Refused => Apply is null;

    /// <summary>
    /// The canonical name: "--" and the long name (an alias row gives its option's name: --del is
    /// "--delete-during"), "-" and the letter when there is none; a "--no-" row is "--no-" and its option's long
    /// name ("--no-o" is "--no-owner", "--no-D" stays "--no-D").
    /// </summary>
    public string Name => OptionTable.CanonicalName(this);

    /// <summary>How a refusal names the option: as written, with the long name when a letter was used.</summary>
    public string NameAsWritten(bool writtenShort) =>
        !writtenShort || Long is null ? (writtenShort ? "-" + Short : "--" + Long) : $"-{Short} (--{Long})";
}

/// <summary>An option's value plus the command-line word popt would blame for an error in it.</summary>
internal readonly record struct OptionValue(string WrittenAs, string? Text)
{
    public string Required => Text ?? throw new InvalidOperationException("option has no value");

    /// <summary>
    /// The number as popt reads it (poptParseInteger: strtoll with base 0, so "0x10" is 16 and "010" is 8; an
    /// empty value is 0), else popt's "invalid numeric value" or "number too large or too small".
    /// </summary>
    public int Int()
    {
        switch (CInteger.TryParse(Required, out long n))
        {
            case CInteger.Result.Invalid:
                throw new OptionException($"{WrittenAs}: invalid numeric value");
            case CInteger.Result.Overflow:
            case CInteger.Result.Ok when n is < int.MinValue or > int.MaxValue:
                throw new OptionException($"{WrittenAs}: number too large or too small");
            default:
                return (int)n;
        }
    }
}

/// <summary>A command-line error, reported as rsync does ("rsync: --foo: unknown option", exit 1), or a refusal.</summary>
internal class OptionException(string message, RsyncExitCode exitCode = RsyncExitCode.Syntax) : Exception(message)
{
    /// <summary>1 for what stock rsync rejects too; 4 for a stock option mrsync does not implement.</summary>
    public RsyncExitCode ExitCode { get; } = exitCode;

    /// <summary>Stock prints the message as it is, without "rsync: " (options.c: "Unknown --info item").</summary>
    public bool Verbatim { get; init; }

    /// <summary>
    /// As reported: a usage error in stock's words ("rsync: --foo: unknown option", exit 1), a refusal as
    /// "mrsync: --inplace is not supported yet" (exit 4).
    /// </summary>
    public RsyncException ToRsyncException() =>
        Verbatim
            // Printed as it is, as a peer's message would be (ExitCodeText.Report).
            ? new(Kind, Message) { RemoteMessage = Message }
            : new(Kind, ExitCode == RsyncExitCode.Syntax ? "rsync: " + Message : Message);

    /// <summary>The library's kind for it: a usage error (exit 1) or an unsupported action (exit 4).</summary>
    public RsyncErrorKind Kind => ExitCode == RsyncExitCode.Syntax ? RsyncErrorKind.Usage : RsyncErrorKind.Unsupported;
}
