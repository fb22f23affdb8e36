namespace ManagedRsync.Cli.Options;

/// <summary>
/// Parses an rsync command line as rsync 3.5.0's popt loop does (options.c: parse_arguments over long_options):
/// exact long names only (no abbreviations, no "--no-" form that is not a row of its own), bundled letters
/// (<c>-avz</c>), a letter's value glued, after "=", or next (<c>-essh</c>, <c>-e=ssh</c>, <c>-e ssh</c>),
/// <c>--opt=value</c> and <c>--opt value</c>, options and arguments in any order, <c>--</c> ending options and
/// <c>-</c> an argument; then the checks and implications stock applies after its loop (<see cref="OptionRules"/>).
/// </summary>
internal static class OptionParser
{
    /// <param name="args">The command line.</param>
    /// <param name="given">When not null, receives each option given, by its canonical name
    /// (<see cref="OptionSpec.Name"/>), for callers that honour only some options.</param>
    /// <param name="environment">Reads an environment variable (the process's when null).</param>
    /// <exception cref="OptionException">What stock rejects (exit 1), or a stock option mrsync refuses (exit 4).</exception>
    public static RsyncOptions Parse(IReadOnlyList<string> args, ICollection<string>? given = null,
        Func<string, string?>? environment = null)
    {
        var state = new OptionState { Given = given };
        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
                state.Options.Args.Add(arg);
            else if (arg == "--")
                optionsEnded = true;
            else if (arg[1] == '-')
                ParseLong(state, args, ref i);
            else
                ParseLetters(state, args, ref i);
            // options.c OPT_HELP: usage is printed the moment --help is met; what follows is not parsed.
            if (state.Options.ShowHelp)
                return state.Options;
        }
        OptionRules.Finish(state, args.Count, environment ?? Environment.GetEnvironmentVariable);
        state.Options.RawArgs = [.. args];
        return state.Options;
    }

    private static void ParseLong(OptionState state, IReadOnlyList<string> args, ref int i)
    {
        string arg = args[i];
        int eq = arg.IndexOf('=');
        string name = eq < 0 ? arg[2..] : arg[2..eq];
        // popt names the whole word in its errors ("--stats=1: option does not take an argument").
        var spec = Find(name) ?? throw new OptionException($"{arg}: unknown option");
        string? inline = eq < 0 ? null : arg[(eq + 1)..];
        Apply(state, spec, writtenShort: false, arg, inline, args, ref i);
    }

    private static void ParseLetters(OptionState state, IReadOnlyList<string> args, ref int i)
    {
        string arg = args[i];
        for (int j = 1; j < arg.Length; j++)
        {
            var spec = Find(arg[j]) ?? throw new OptionException($"{arg}: unknown option");
            string rest = arg[(j + 1)..];
            if (spec.Argument == OptionArgument.None)
            {
                if (rest.StartsWith('='))
                    throw new OptionException($"{arg}: option does not take an argument");
                Apply(state, spec, writtenShort: true, arg, null, args, ref i);
                continue;
            }
            // popt: the rest of the word is the value ("-essh"; a leading '=' is dropped), else the next word.
            Apply(state, spec, writtenShort: true, arg, rest.Length == 0 ? null : rest.StartsWith('=') ? rest[1..] : rest, args, ref i);
            return;
        }
    }

    private static void Apply(OptionState state, OptionSpec spec, bool writtenShort, string word, string? inline,
        IReadOnlyList<string> args, ref int i)
    {
        OptionValue value;
        if (spec.Argument == OptionArgument.None)
        {
            if (inline != null)
                throw new OptionException($"{word}: option does not take an argument");
            value = new OptionValue(word, null);
        }
        else if (inline != null)
        {
            value = new OptionValue(word, inline);
        }
        else if (i + 1 < args.Count)
        {
            // The value is the next word, whatever it looks like; popt then blames that word for a bad number.
            value = new OptionValue(args[i + 1], args[i + 1]);
            i++;
        }
        else
        {
            throw new OptionException($"{word}: missing argument");
        }

        state.Given?.Add(spec.Name);
        if (spec.Apply is { } apply)
        {
            apply(state, value);
            return;
        }
        // A refused option is still read as stock reads it, so a malformed value or a later unknown option is
        // reported as stock reports it.
        if (spec.Argument == OptionArgument.Int)
            value.Int();
        state.Refused ??= spec.NameAsWritten(writtenShort);
    }

    private static OptionSpec? Find(string longName)
    {
        foreach (var spec in OptionTable.All)
        {
            if (spec.Long == longName)
                return spec;
        }
        return null;
    }

    private static OptionSpec? Find(char letter)
    {
        foreach (var spec in OptionTable.All)
        {
            if (spec.Short == letter && letter != '\0')
                return spec;
        }
        return null;
    }
}
