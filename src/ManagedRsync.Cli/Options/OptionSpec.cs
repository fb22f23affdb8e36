namespace ManagedRsync.Cli.Options;

/// <summary>One rsync option: its names, whether it takes a value, and what it does to <see cref="RsyncOptions"/>.</summary>
/// <param name="Long">Long names without the leading "--" (the first is the canonical one).</param>
/// <param name="Short">The short letter, or '\0'.</param>
/// <param name="Apply">Sets the option; the value is null for flags.</param>
/// <param name="TakesValue">Whether it needs a value (--opt=V, --opt V, -oV, -o V).</param>
/// <param name="Negate">What --no-NAME does, or null when the option has no negation.</param>
internal sealed record OptionSpec(
    string[] Long,
    char Short,
    Action<RsyncOptions, OptionValue> Apply,
    bool TakesValue = false,
    Action<RsyncOptions>? Negate = null)
{
    /// <summary>The canonical name: "--" and the first long name, or "-" and the letter when it has none.</summary>
    public string Name => Long.Length > 0 ? "--" + Long[0] : "-" + Short;
}

/// <summary>An option's value plus how it was written, for rsync-style error messages.</summary>
internal readonly record struct OptionValue(string WrittenAs, string? Text)
{
    public string Required => Text ?? throw new InvalidOperationException("option has no value");

    /// <summary>An integer value, or rsync's (popt's) "invalid numeric value" usage error.</summary>
    public int Int(int min = int.MinValue, int max = int.MaxValue)
    {
        if (int.TryParse(Text, System.Globalization.NumberStyles.AllowLeadingSign,
                System.Globalization.CultureInfo.InvariantCulture, out int n) && n >= min && n <= max)
        {
            return n;
        }
        throw new OptionException($"{WrittenAs}: invalid numeric value");
    }
}

/// <summary>A command-line error, reported as rsync does ("rsync: --foo: unknown option", exit 1).</summary>
internal sealed class OptionException(string message) : Exception(message);
