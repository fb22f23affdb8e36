using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// Reads rsyncd.conf as rsync does (params.c: pm_process / Parse; loadparm.c: do_section, do_parameter): `[name]`
/// sections (`[global]` returns to the global one), `name = value` lines, `#` and `;` comment lines, a `\` at the end of
/// a line continuing it, `&amp;include FILE` and `&amp;merge FILE` (a directory: its `*.inc` / `*.conf` files in name
/// order), parameter names compared without case or white space, `%VAR%` in a value taken from the environment
/// (loadparm.c: expand_vars). Module parameters in the global section are every module's defaults. -M (--dparam)
/// values are added at the end of the global section (loadparm.c: set_dparams).
/// </summary>
public static class DaemonConfigParser
{
    /// <summary>The most nested &amp;include / &amp;merge levels (params.c has a small fixed limit too).</summary>
    private const int MaxIncludeDepth = 16;

    /// <summary>Parses the file at <paramref name="path"/>.</summary>
    /// <param name="path">The config file.</param>
    /// <param name="dparams">-M PARAM=VALUE overrides, applied at the end of the global section.</param>
    /// <param name="warn">Receives stock's warnings ("Unknown Parameter encountered: ...").</param>
    /// <exception cref="DaemonConfigException">The file cannot be read, or a line is malformed.</exception>
    public static DaemonConfig Load(string path, IReadOnlyList<string>? dparams = null, Action<string>? warn = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DaemonConfigException($"Failed to open config file: {path}: {SystemError.Describe(e)}");
        }
        return Parse(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? "/", dparams, warn);
    }

    /// <summary>Parses config text; <paramref name="baseDirectory"/> resolves relative &amp;include names.</summary>
    public static DaemonConfig Parse(string text, string baseDirectory = "/", IReadOnlyList<string>? dparams = null,
        Action<string>? warn = null)
    {
        var state = new State(warn ?? (_ => { }), dparams ?? []);
        state.Feed(text, baseDirectory, 0);
        state.EndGlobal();
        return new DaemonConfig(state.Global, state.Modules);
    }

    private sealed class State(Action<string> warn, IReadOnlyList<string> dparams)
    {
        public Dictionary<string, string> Global { get; private set; } = new(StringComparer.Ordinal);
        public List<(string Name, Dictionary<string, string> Values)> Modules { get; } = [];
        private Dictionary<string, string>? _current;
        private bool _dparamsDone;

        public void Feed(string text, string baseDirectory, int depth)
        {
            string[] lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                // params.c: a '\' ending a line joins the next one.
                while (line.TrimEnd().EndsWith('\\') && i + 1 < lines.Length)
                    line = line.TrimEnd()[..^1] + lines[++i];
                string t = line.Trim();
                if (t.Length == 0 || t[0] is '#' or ';')
                    continue;
                if (t[0] == '[')
                {
                    int close = t.IndexOf(']');
                    if (close < 0)
                        throw new DaemonConfigException($"params.c:Section() - Badly formed section name: {t}");
                    Section(t[1..close].Trim());
                }
                else if (t[0] == '&')
                {
                    Directive(t, baseDirectory, depth);
                }
                else
                {
                    int eq = t.IndexOf('=');
                    // params.c: Parameter — a line without '=' is logged and skipped ("ignore errors" alone, say).
                    if (eq < 0)
                        warn($"params.c:Parameter() - Ignoring badly formed line in config file: {t}");
                    else
                        Parameter(t[..eq].Trim(), t[(eq + 1)..].Trim());
                }
            }
        }

        private void Section(string name)
        {
            if (NameKey(name) == "global")
            {
                _current = null;
                return;
            }
            if (name.Contains('/'))
                throw new DaemonConfigException($"Warning: invalid section name in configuration file: {name}");
            EndGlobal();
            // loadparm.c: getsectionbyname compares names as strwiEQ does (no case, no white space).
            int existing = Modules.FindIndex(m => NameKey(m.Name) == NameKey(name));
            if (existing >= 0)
            {
                _current = Modules[existing].Values;
                return;
            }
            // loadparm.c: init_section copies the global section's module parameters as the module's defaults.
            _current = new Dictionary<string, string>(Global.Where(kv => !DaemonParameters.IsGlobalOnly(kv.Key)), StringComparer.Ordinal);
            Modules.Add((name, _current));
        }

        private void Parameter(string name, string value)
        {
            string key = NameKey(name);
            if (!DaemonParameters.IsKnown(key))
            {
                warn($"Unknown Parameter encountered: \"{name}\"");
                warn($"IGNORING unknown parameter \"{name}\"");
                return;
            }
            key = DaemonParameters.Canonical(key);
            if (_current is not null && DaemonParameters.IsGlobalOnly(key))
            {
                warn($"Global parameter {name} found in module section!");
                return;
            }
            // loadparm.c: do_parameter expands %VAR% in a boolean or number now, in a string or path only when it is
            // read (FN_LOCAL_STRING: RETURN_EXPANDED), after rsync_module has set RSYNC_MODULE_NAME and the like.
            (_current ?? Global)[key] = DaemonParameters.ExpandsWhenRead(key) ? value : DaemonVariables.Expand(value, null);
        }

        // params.c: Parameter divides a directive from its value at the first space or tab, then skips white space
        // and one '=' ("&include = dir" is "&include dir"); parse_directives compares the name without case.
        private void Directive(string line, string baseDirectory, int depth)
        {
            int space = line.IndexOfAny([' ', '\t']);
            string word = space < 0 ? line : line[..space];
            string arg = space < 0 ? "" : line[(space + 1)..].TrimStart();
            if (arg.StartsWith('='))
                arg = arg[1..].TrimStart();
            // params.c keeps the name as a C string: it ends at a NUL byte (.NET's file calls throw on one; AFL's
            // rsyncd.conf target found "&include a\0b" ending `mrsync daemon` with an unhandled ArgumentException).
            int nul = arg.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0)
                arg = arg[..nul];
            arg = arg.TrimEnd();
            bool include = word.Equals("&include", StringComparison.OrdinalIgnoreCase);
            if (!include && !word.Equals("&merge", StringComparison.OrdinalIgnoreCase))
                throw new DaemonConfigException($"Unknown directive: {word}.");
            if (depth >= MaxIncludeDepth)
                throw new DaemonConfigException($"&include / &merge nested more than {MaxIncludeDepth} deep: {arg}");
            string path = Path.IsPathFullyQualified(arg) ? arg : Path.Combine(baseDirectory, arg);
            // params.c: include_config — a directory's "*.conf" files for &include, its "*.inc" files for &merge, in
            // name order.
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.GetFiles(path, include ? "*.conf" : "*.inc").Order(StringComparer.Ordinal)
                : [path];
            // loadparm.c: do_section's "]push" / "]reset" / "]pop": an &include'd file starts in the global section
            // with the globals as they were, and what it sets in its global section is undone after it; the reading
            // goes on in the global section. A merged file simply continues where the directive stands.
            Dictionary<string, string> pushed = new(Global, StringComparer.Ordinal);
            foreach (string file in files)
            {
                string text;
                try
                {
                    text = File.ReadAllText(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new DaemonConfigException($"Failed to open config file: {file}: {SystemError.Describe(e)}");
                }
                if (include)
                {
                    Global = new Dictionary<string, string>(pushed, StringComparer.Ordinal);
                    _current = null;
                }
                Feed(text, Path.GetDirectoryName(file) ?? "/", depth + 1);
            }
            if (include)
            {
                Global = pushed;
                _current = null;
            }
        }

        public void EndGlobal()
        {
            if (_dparamsDone)
                return;
            _dparamsDone = true;
            foreach (string p in dparams)
            {
                int eq = p.IndexOf('=');
                if (eq <= 0)
                    throw new DaemonConfigException($"Malformed dparam (no '='): {p}");
                string key = NameKey(p[..eq]);
                if (!DaemonParameters.IsKnown(key))
                    throw new DaemonConfigException($"Unknown parameter \"{p[..eq]}\"");
                key = DaemonParameters.Canonical(key);
                string value = p[(eq + 1)..].Trim();
                Global[key] = DaemonParameters.ExpandsWhenRead(key) ? value : DaemonVariables.Expand(value, null);
            }
        }
    }

    /// <summary>loadparm.c: strwiEQ — names compare without case and white space.</summary>
    internal static string NameKey(string name)
    {
        var s = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (!char.IsWhiteSpace(c))
                s.Append(char.ToLowerInvariant(c));
        }
        return s.ToString();
    }
}

/// <summary>A config file that rsync would not load either; the message is rsync's where it has one.</summary>
public sealed class DaemonConfigException(string message) : Exception(message);
