using System.Globalization;
using System.Text;

namespace ManagedRsync;

/// <summary>
/// The words of --info and --debug (rsync options.c: parse_output_words, output_item_help), shared by both tables.
/// </summary>
public static class OutputWords
{
    /// <summary>
    /// Reads comma-separated words: a name from <paramref name="names"/> (any case) with an optional level (no digits: 1;
    /// above <see cref="InfoLevels.MaxLevel"/>, or overflowing: the maximum) unless the word is all digits; "ALL" or
    /// "NONE" (every flag; NONE at 0); empty words are skipped. Stops at "help" or at a word that names nothing.
    /// </summary>
    /// <param name="words">The option's argument.</param>
    /// <param name="names">The table's flag names.</param>
    /// <param name="set">Called for each word in order: the flag's index (-1 for all of them) and the level.</param>
    /// <param name="help">Set when it stopped at "help" (stock prints the list and exits 0 there).</param>
    /// <param name="unknown">The word that names no flag (stock: "Unknown --info item"), or null.</param>
    /// <returns>False when it stopped at "help" or an unknown word.</returns>
    public static bool Parse(string words, IReadOnlyList<string> names, Action<int, int> set, out bool help, out string? unknown)
    {
        help = false;
        unknown = null;
        foreach (string word in words.Split(','))
        {
            if (word.Length == 0)
                continue;
            (string name, int level) = Split(word);
            if (name.Equals("help", StringComparison.OrdinalIgnoreCase))
            {
                help = true;
                return false;
            }
            if (name.Equals("none", StringComparison.OrdinalIgnoreCase))
            {
                set(-1, 0);
                continue;
            }
            if (name.Equals("all", StringComparison.OrdinalIgnoreCase))
            {
                set(-1, level);
                continue;
            }
            int index = -1;
            for (int j = 0; j < names.Count && index < 0; j++)
            {
                if (names[j].Equals(name, StringComparison.OrdinalIgnoreCase))
                    index = j;
            }
            if (index < 0)
            {
                unknown = name;
                return false;
            }
            set(index, level);
        }
        return true;
    }

    // options.c: parse_output_words — trailing digits are the level unless the word starts with one; atoi of an
    // overflowing string is capped at MAX_OUT_LEVEL.
    private static (string Name, int Level) Split(string word)
    {
        int len = word.Length;
        if (!char.IsAsciiDigit(word[0]))
        {
            while (len > 0 && char.IsAsciiDigit(word[len - 1]))
                len--;
        }
        string digits = word[len..];
        if (digits.Length == 0)
            return (word, 1);
        return (word[..len], int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= InfoLevels.MaxLevel
            ? n : InfoLevels.MaxLevel);
    }

    /// <summary>
    /// options.c: output_item_help — the flags with their help, ALL, NONE, HELP, then the words each -v level adds
    /// (levels that add none are left out), in table order with the level unless it is 1.
    /// </summary>
    /// <param name="option">"--info" or "--debug".</param>
    /// <param name="names">The table's flag names.</param>
    /// <param name="help">Each flag's help.</param>
    /// <param name="verbosity">The words each -v level adds (null: none).</param>
    public static string Help(string option, IReadOnlyList<string> names, IReadOnlyList<string> help, IReadOnlyList<string?> verbosity)
    {
        var text = new StringBuilder("Use OPT or OPT1 for level 1 output, OPT2 for level 2, etc.; OPT0 silences.\n\n");
        for (int j = 0; j < names.Count; j++)
            text.Append(names[j].PadRight(10)).Append(' ').Append(help[j]).Append('\n');
        text.Append('\n');
        text.Append("ALL".PadRight(10)).Append($" Set all {option} options (e.g. all{InfoLevels.MaxLevel})\n");
        text.Append("NONE".PadRight(10)).Append($" Silence all {option} options (same as all0)\n");
        text.Append("HELP".PadRight(10)).Append(" Output this help message\n\n");
        text.Append("Options added at each level of verbosity:\n");
        for (int v = 0; v < verbosity.Count; v++)
        {
            if (verbosity[v] is not { } words)
                continue;
            var levels = new int[names.Count];
            var named = new bool[names.Count];
            Parse(words, names, (flag, level) =>
            {
                levels[flag] = level;
                named[flag] = true;
            }, out _, out _);
            var parts = new List<string>();
            for (int k = 0; k < names.Count; k++)
            {
                if (named[k])
                    parts.Add(names[k] + (levels[k] == 1 ? "" : levels[k].ToString(CultureInfo.InvariantCulture)));
            }
            text.Append(v).Append(") ").Append(string.Join(',', parts)).Append('\n');
        }
        return text.ToString();
    }
}
