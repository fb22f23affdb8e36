using System.Text;

namespace ManagedRsync.Session;

/// <summary>
/// How a client quotes the server arguments it builds (rsync options.c: safe_arg, with the settings parse_arguments
/// and main.c start_client leave): a remote shell joins the words with spaces and hands them to the remote user's
/// shell, so each word is backslash-escaped unless the arguments travel secluded (-s) or the user asked for
/// --old-args. A daemon reverses the same escaping of option values (io.c: read_args).
/// </summary>
/// <param name="Secluded">rsync's protect_args: -s / --secluded-args (or RSYNC_PROTECT_ARGS).</param>
/// <param name="OldArgs">rsync's old_style_args: --old-args counted (or RSYNC_OLD_ARGS); 1 escapes only option
/// values, 2 nothing.</param>
/// <param name="TrustSender">rsync's trust_sender_args: --trust-sender, or implied by --old-args.</param>
/// <param name="ClientSends">rsync's am_sender on the client: a push.</param>
/// <param name="Relative">-R: a leading '~' of a remote path is escaped only when no "/./" marks where -R starts.</param>
internal readonly record struct SafeArgument(bool Secluded, int OldArgs, bool TrustSender, bool ClientSends, bool Relative)
{
    // rsync options.c: SHELL_CHARS and WILD_CHARS ("We don't allow remote brace expansion").
    private const string ShellChars = "!#$&;|<>(){}\"'` \t\n\r\\";
    private const string WildChars = "*?[]";

    /// <summary>A remote file name (safe_arg(NULL, arg)): wildcards stay live, a leading '-' gets "./".</summary>
    public string FileName(string arg) => Quote(null, arg, split: false);

    /// <summary>An option with its value in one word, "--opt=VALUE" (safe_arg("--opt", value)).</summary>
    public string Option(string option, string value) => Quote(option, value, split: false);

    /// <summary>An option value sent as a word of its own after the option (safe_arg("", value)), e.g. --temp-dir's.</summary>
    public string Value(string value) => Quote("", value, split: false);

    /// <summary>A -M/--remote-option word (safe_arg(SPLIT_ARG_WHEN_OLD, arg)): with --old-args it is left to split.</summary>
    public string RemoteOption(string arg) => Quote("", arg, split: true);

    /// <summary>
    /// What a daemon does to each word before "." that it reads from a client (io.c: unbackslash_arg, read_args with
    /// unescape): every backslash escapes the next character. A remote shell has done this already for its server.
    /// </summary>
    public static string Unescape(string word)
    {
        int at = word.IndexOf('\\');
        if (at < 0)
            return word;
        var result = new StringBuilder(word.Length);
        result.Append(word, 0, at);
        for (int i = at; i < word.Length; i++)
        {
            if (word[i] == '\\' && i + 1 < word.Length)
                i++;
            result.Append(word[i]);
        }
        return result.ToString();
    }

    private string Quote(string? option, string arg, bool split)
    {
        bool fileName = option is null;
        string escapes = fileName ? ShellChars : WildChars + ShellChars;
        bool escaping = !Secluded && OldArgs < 2 && (OldArgs == 0 || (!fileName && !split));
        var result = new StringBuilder(arg.Length + 8);
        if (!string.IsNullOrEmpty(option))
            result.Append(option).Append('=');
        // The leading-dash guard holds even for secluded arguments: the server must not take a name for an option.
        if (fileName && arg.StartsWith('-'))
            result.Append("./");
        if (!escaping)
            return result.Append(arg).ToString();
        // A pulled "~name" would be expanded by the remote shell: escaped unless the user trusts the sender's names.
        if (fileName && arg.StartsWith('~') && !ClientSends && !TrustSender
            && ((Relative && !arg.Contains("/./", StringComparison.Ordinal)) || !arg.Contains('/')))
            result.Append('\\');
        for (int i = 0; i < arg.Length; i++)
        {
            char c = arg[i];
            if (c == '\\')
            {
                // A name's "\*" already escapes a wildcard for the server's own matching: the backslash is not doubled.
                bool beforeWildcard = i + 1 < arg.Length && WildChars.Contains(arg[i + 1]);
                if (!fileName || !beforeWildcard)
                    result.Append('\\');
            }
            else if (escapes.Contains(c))
            {
                result.Append('\\');
            }
            result.Append(c);
        }
        return result.ToString();
    }
}
