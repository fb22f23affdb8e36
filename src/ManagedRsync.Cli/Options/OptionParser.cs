namespace ManagedRsync.Cli.Options;

/// <summary>
/// Parses an rsync command line the way rsync's popt table does: bundled short options (<c>-avz</c>), a short
/// option's value glued or next (<c>-essh</c>, <c>-e ssh</c>), <c>--opt=value</c> and <c>--opt value</c>,
/// <c>--no-OPT</c> negations, options and arguments in any order, <c>--</c> ending options, <c>-</c> an argument.
/// </summary>
internal static class OptionParser
{
    /// <param name="args">The command line.</param>
    /// <param name="given">When not null, receives each option given, by its canonical name
    /// (<see cref="OptionSpec.Name"/>, "--no-NAME" for a negation), for callers that honour only some options.</param>
    /// <exception cref="OptionException">An unknown option, a missing or malformed value.</exception>
    public static RsyncOptions Parse(IReadOnlyList<string> args, ICollection<string>? given = null)
    {
        var options = new RsyncOptions();
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                options.Args.Add(arg);
            }
            else if (arg == "--")
            {
                optionsEnded = true;
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                ParseLong(options, args, ref i, given);
            }
            else
            {
                ParseShortBundle(options, args, ref i, given);
            }
        }
        // rsync: a lone -h (and nothing else) asks for help rather than human-readable numbers.
        if (args is ["-h"])
        {
            options.ShowHelp = true;
        }
        return options;
    }

    private static void ParseLong(RsyncOptions options, IReadOnlyList<string> args, ref int i, ICollection<string>? given)
    {
        string arg = args[i];
        int eq = arg.IndexOf('=');
        string name = eq < 0 ? arg[2..] : arg[2..eq];
        string? value = eq < 0 ? null : arg[(eq + 1)..];
        string writtenAs = "--" + name;

        var spec = FindLong(name);
        if (spec is null && name.StartsWith("no-", StringComparison.Ordinal))
        {
            string positive = name[3..];
            var negated = positive.Length == 1 ? FindShort(positive[0]) : FindLong(positive);
            if (negated?.Negate is { } negate && value is null)
            {
                given?.Add("--no-" + negated.Name.TrimStart('-'));
                negate(options);
                return;
            }
        }
        if (spec is null)
        {
            throw new OptionException($"{arg}: unknown option");
        }
        given?.Add(spec.Name);
        if (!spec.TakesValue)
        {
            if (value != null)
            {
                throw new OptionException($"{writtenAs}: option does not take an argument");
            }
            spec.Apply(options, new OptionValue(writtenAs, null));
            return;
        }
        if (value is null)
        {
            if (i + 1 >= args.Count)
            {
                throw new OptionException($"{writtenAs}: missing argument");
            }
            value = args[++i];
        }
        spec.Apply(options, new OptionValue(eq < 0 ? writtenAs : arg, value));
    }

    private static void ParseShortBundle(RsyncOptions options, IReadOnlyList<string> args, ref int i, ICollection<string>? given)
    {
        string arg = args[i];
        for (int j = 1; j < arg.Length; j++)
        {
            // popt names the whole bundle when one letter of it is unknown ("rsync: -X9: unknown option").
            var spec = FindShort(arg[j]) ?? throw new OptionException($"{arg}: unknown option");
            given?.Add(spec.Name);
            string writtenAs = "-" + arg[j];
            if (!spec.TakesValue)
            {
                spec.Apply(options, new OptionValue(writtenAs, null));
                continue;
            }
            string value;
            if (j + 1 < arg.Length)
            {
                value = arg[(j + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new OptionException($"{writtenAs}: missing argument");
            }
            spec.Apply(options, new OptionValue(writtenAs, value));
            return;
        }
    }

    private static OptionSpec? FindLong(string name)
    {
        foreach (var spec in OptionTable.All)
        {
            if (Array.IndexOf(spec.Long, name) >= 0)
            {
                return spec;
            }
        }
        return null;
    }

    private static OptionSpec? FindShort(char letter)
    {
        if (letter == '\0')
        {
            return null;
        }
        foreach (var spec in OptionTable.All)
        {
            if (spec.Short == letter)
            {
                return spec;
            }
        }
        return null;
    }
}
