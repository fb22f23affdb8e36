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
    public static string Expand(string value, IReadOnlyDictionary<string, string>? connection)
    {
        if (!value.Contains('%'))
            return value;
        var s = new StringBuilder(value.Length);
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
                    s.Append(found);
                    i = end + 1;
                    continue;
                }
            }
            s.Append(c);
            i++;
        }
        return s.ToString();
    }
}
