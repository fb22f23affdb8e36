namespace ManagedRsync.Cli.Commands;

/// <summary>getopt_long's "--name=value" form, for the watcher commands' small parsers.</summary>
internal static class LongOption
{
    /// <summary>Splits "--name=value" into name and value; any other argument comes back whole with a null value.</summary>
    public static string Split(string arg, out string? inlineValue)
    {
        inlineValue = null;
        if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is int eq and > 0)
        {
            inlineValue = arg[(eq + 1)..];
            return arg[..eq];
        }
        return arg;
    }
}
