using System.Text;

namespace ManagedRsync.Server;

/// <summary>
/// A daemon module's "refuse options" (rsync options.c: set_refuse_options, parse_one_refuse_match): each word is an
/// option's long name or a wildcard over long names (a single letter names the short option); "!name" accepts again
/// an option an earlier wildcard refused. A refused option the client used ends the connection with "The server is
/// configured to refuse --NAME" (create_refuse_error). Refusing "delete" refuses every --delete-WHEN too (options.c:
/// refused_delete is checked for any delete mode).
/// </summary>
internal static class ServerRefusals
{
    private const string Configured = "The server is configured to refuse";

    public static string? Check(ServerRequest request, ServerSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.RefuseOptions))
            return null;
        string[] words = settings.RefuseOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (string name in request.OptionNames.Distinct())
        {
            // options.c: "server", "sender", "rsh" (-e, the capability letters) and --dry-run are never refused.
            if (name is "server" or "sender" or "rsh" or "dry-run")
                continue;
            if (IsRefused(words, name) || (name.StartsWith("delete", StringComparison.Ordinal) && name != "delete-excluded"
                                           && name != "delete-missing-args" && IsRefused(words, "delete")))
                return ServerArgumentParser.Refusal(Configured, name, ServerArgumentParser.Letter(name));
        }
        return null;
    }

    private static bool IsRefused(string[] words, string name)
    {
        bool refused = false;
        foreach (string word in words)
        {
            bool negated = word.StartsWith('!') && word.Length > 1;
            string pattern = negated ? word[1..] : word;
            if (pattern.Length == 1 ? ServerArgumentParser.LongName(pattern[0]) == name
                : Filters.WildMatch.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(name)))
                refused = !negated;
        }
        return refused;
    }
}
