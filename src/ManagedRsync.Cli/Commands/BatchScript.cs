using System.Text;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// FILE.sh of --write-batch (rsync batch.c: write_batch_shell_file): the command line again with --read-batch in place
/// of --write-batch, without the source arguments, the filter options and --files-from, the destination as
/// <c>${1:-DEST}</c> (a host's part dropped), and the filter rules fed on stdin through a here-document.
/// </summary>
internal static class BatchScript
{
    /// <summary>The script's text for the negotiated <paramref name="protocol"/>.</summary>
    public static string Text(RsyncOptions o, int protocol)
    {
        var sh = new StringBuilder();
        sh.Append(Quote(ProgramName()));
        FilterList? filters = o.BuiltFilters;
        bool hasRules = filters is { Rules.Count: > 0 };
        if (hasRules)
            Option(sh, protocol >= 29 ? "--filter" : "--exclude-from", protocol >= 29 ? "._-" : "-");

        // "Elide the filename args from the option list, but scan for them in reverse."
        string?[] raw = [.. o.RawArgs];
        for (int i = raw.Length - 1, j = o.Args.Count - 1; i >= 0 && j >= 0; i--)
        {
            if (raw[i] == o.Args[j])
            {
                raw[i] = null;
                j--;
            }
        }
        for (int i = 0; i < raw.Length; i++)
        {
            if (raw[i] is not { } p)
                continue;
            if (p.StartsWith("--files-from", StringComparison.Ordinal) || p.StartsWith("--filter", StringComparison.Ordinal)
                || p.StartsWith("--include", StringComparison.Ordinal) || p.StartsWith("--exclude", StringComparison.Ordinal))
            {
                if (!p.Contains('='))
                    i++;
                continue;
            }
            if (p == "-f")
            {
                i++;
                continue;
            }
            string? batchOption = p.StartsWith("--write-batch", StringComparison.Ordinal) ? "--write-batch"
                : p.StartsWith("--only-write-batch", StringComparison.Ordinal) ? "--only-write-batch" : null;
            if (batchOption is not null)
                Option(sh, "--read-batch", p.Length > batchOption.Length && p[batchOption.Length] == '=' ? p[(batchOption.Length + 1)..] : null);
            else
                sh.Append(' ').Append(Quote(p));
        }
        string dest = o.Args.Count > 0 ? o.Args[^1] : "";
        sh.Append(" ${1:-").Append(Quote(LocalPart(dest))).Append('}');
        if (hasRules)
        {
            sh.Append(" <<'#E#'\n");
            foreach (FilterRule rule in filters!.Rules)
            {
                // batch.c: write_filter_rules refuses a pattern with a newline: it could end the here-document.
                string line = rule.ToString();
                if (line.Contains('\n'))
                    throw new RsyncException(RsyncErrorKind.Usage, "cannot write a filter rule containing a newline to the batch replay script");
                sh.Append(line).Append(o.From0 ? '\0' : '\n');
            }
            if (o.From0)
                sh.Append(";\n");
            sh.Append("#E#");
        }
        sh.Append('\n');
        return sh.ToString();
    }

    // batch.c writes raw_argv[0], the program as it was started: the first word of /proc/self/cmdline.
    private static string ProgramName()
    {
        try
        {
            byte[] cmdline = File.ReadAllBytes("/proc/self/cmdline");
            int end = Array.IndexOf(cmdline, (byte)0);
            if (end > 0)
                return Encoding.UTF8.GetString(cmdline, 0, end);
        }
        catch (IOException)
        {
        }
        return Environment.ProcessPath ?? "mrsync";
    }

    // options.c: check_for_hostspec — a daemon's MODULE/PATH, a remote shell's PATH; a local path as it is.
    private static string LocalPart(string arg)
    {
        if (DaemonAddress.TryParse(arg, out DaemonAddress? address))
            return address!.ModulePath;
        if (DaemonAddress.IsRemoteShellSpec(arg))
            return arg[(arg.IndexOf(':') + 1)..];
        return arg;
    }

    // batch.c: write_opt — " OPT" and, with an argument, "=" and the argument quoted.
    private static void Option(StringBuilder sh, string option, string? value)
    {
        sh.Append(' ').Append(option);
        if (value is not null)
            sh.Append('=').Append(Quote(value));
    }

    // batch.c: write_arg — a plain "--opt=" prefix as it is, the rest single-quoted ('\'' for a quote).
    private static string Quote(string arg)
    {
        string prefix = "";
        int eq = arg.IndexOf('=');
        if (arg.StartsWith('-') && eq > 0 && arg[..eq].All(c => c is '-' or '_' or (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z')))
        {
            prefix = arg[..(eq + 1)];
            arg = arg[(eq + 1)..];
        }
        return prefix + "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
