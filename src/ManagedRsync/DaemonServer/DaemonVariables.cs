using System.Text;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// rsyncd.conf's %VAR% (loadparm.c: expand_vars): a '%' followed by an upper-case letter up to the next '%' names an
/// environment variable, replaced by its value; a name that is not set is left as written. A connection's own
/// variables (RSYNC_MODULE_NAME, RSYNC_HOST_ADDR, ..., which stock's forked child puts in its environment in
/// clientserver.c: rsync_module before it reads the module's strings) are looked up first.
/// </summary>
internal static class DaemonVariables
{
    public static string Expand(string value, IReadOnlyDictionary<string, string>? connection) =>
        Expand(value, connection, shell: false, out _)!;

    /// <summary>
    /// A command the shell runs (pre-xfer and post-xfer exec; loadparm.c: RETURN_EXPANDED_SHELL): a %RSYNC_*% value,
    /// which the client controls, is quoted for the quoting the command has where it stands (unquoted and inside
    /// "..." wrapped in '...', inside "..." also with \ before \ " ` $; inside '...' with ' as '\''), and one holding
    /// a character that is shell syntax in any context is refused: null, with the variable's name in
    /// <paramref name="refused"/> (a hook may hand the word to a second shell, which no quoting survives).
    /// Other variables are the operator's and go in as they are.
    /// </summary>
    public static string? ExpandForShell(string value, IReadOnlyDictionary<string, string>? connection, out string? refused) =>
        Expand(value, connection, shell: true, out refused);

    private enum Quoting
    {
        None,
        Single,
        Double,
    }

    private static string? Expand(string value, IReadOnlyDictionary<string, string>? connection, bool shell, out string? refused)
    {
        refused = null;
        if (!value.Contains('%'))
            return value;
        var s = new StringBuilder(value.Length);
        var quoting = Quoting.None;
        bool escaped = false;
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c == '%' && i + 1 < value.Length && char.IsAsciiLetterUpper(value[i + 1])
                && value.IndexOf('%', i + 1) is var end and > 0)
            {
                string name = value[(i + 1)..end];
                string? found = connection is not null && connection.TryGetValue(name, out string? v) ? v
                    : Environment.GetEnvironmentVariable(name);
                if (found is not null)
                {
                    if (shell && name.StartsWith("RSYNC_", StringComparison.Ordinal))
                    {
                        if (IsShellSyntax(found))
                        {
                            refused = name;
                            return null;
                        }
                        AppendQuoted(s, found, quoting);
                    }
                    else
                    {
                        s.Append(found);
                    }
                    i = end + 1;
                    continue;
                }
            }
            if (shell)
                Track(c, ref quoting, ref escaped);
            s.Append(c);
            i++;
        }
        return s.ToString();
    }

    // What the shell makes of the template's own characters: '...' ends only at ', "..." at an unescaped ", and a
    // backslash outside '...' escapes the next character.
    private static void Track(char c, ref Quoting quoting, ref bool escaped)
    {
        if (quoting == Quoting.Single)
        {
            if (c == '\'')
                quoting = Quoting.None;
        }
        else if (escaped)
        {
            escaped = false;
        }
        else if (c == '\\')
        {
            escaped = true;
        }
        else if (quoting == Quoting.Double)
        {
            if (c == '"')
                quoting = Quoting.None;
        }
        else if (c == '\'')
        {
            quoting = Quoting.Single;
        }
        else if (c == '"')
        {
            quoting = Quoting.Double;
        }
    }

    // loadparm.c: shell_unsafe_value — quoting, expansion, command, redirection, globbing and comment characters,
    // space, '!' (negation in command position), '~', braces, and control bytes.
    private static bool IsShellSyntax(string value)
    {
        foreach (char c in value)
        {
            if ("'\"`$\\;&|<>()*?[]# !~{}".Contains(c) || c < 0x20 || c == 0x7f)
                return true;
        }
        return false;
    }

    // loadparm.c: expand_vars_shell_escape — inside "..." the value is both backslash-escaped and wrapped in '...':
    // redundant for one shell, but a second shell (sh -c "... %VAR% ...") sees the quotes after the first removed
    // the backslashes.
    private static void AppendQuoted(StringBuilder s, string value, Quoting quoting)
    {
        if (quoting != Quoting.Single)
            s.Append('\'');
        foreach (char c in value)
        {
            if (quoting == Quoting.Double && c is '\\' or '"' or '`' or '$')
                s.Append('\\').Append(c);
            else if (c == '\'')
                s.Append("'\\''");
            else
                s.Append(c);
        }
        if (quoting != Quoting.Single)
            s.Append('\'');
    }
}
