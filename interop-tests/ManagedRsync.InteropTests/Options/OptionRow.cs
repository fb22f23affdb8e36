namespace ManagedRsync.InteropTests.Options;

/// <summary>What mrsync must do with an option that is not compared with stock rsync (see <see cref="OptionCatalog.Exclusions"/>).</summary>
public enum ExpectedAlone
{
    /// <summary>Exit 4 with a message naming the option.</summary>
    Refused,

    /// <summary>Exit 0 with the usage text on stdout, no connection.</summary>
    PrintsHelp,

    /// <summary>Exit 0 with the version text on stdout, no connection.</summary>
    PrintsVersion,
}

/// <summary>An option excluded from the comparison with stock, the reason, and what mrsync must do with it instead.</summary>
public sealed record Exclusion(string Reason, ExpectedAlone Expected);

/// <summary>
/// One command line of the differential test: options (with {files}/{out} placeholders for paths), in push position
/// (<c>OPTIONS SRC/ rsync://HOST:PORT/MOD/</c>) or pull position (<c>OPTIONS rsync://HOST:PORT/MOD/ DST/</c>).
/// </summary>
/// <param name="Push">True for push position.</param>
/// <param name="Options">The options as the user types them.</param>
/// <param name="Names">The names a refusal message may use for the option under test (every spelling on its --help line).</param>
/// <param name="Auth">True when the module asks for a password (for --password-file).</param>
/// <param name="Excluded">Set when the row is not compared with stock.</param>
/// <param name="NoPaths">True for a command line that is only the options (e.g. "-h" on its own).</param>
public sealed record OptionRow(bool Push, IReadOnlyList<string> Options, IReadOnlyList<string> Names,
    bool Auth = false, Exclusion? Excluded = null, bool NoPaths = false)
{
    /// <summary>The row's line in the ledger and in failure reports: "push | -a --no-o".</summary>
    public string Key => $"{(Push ? "push" : "pull")} | {string.Join(' ', Options)}";
}
