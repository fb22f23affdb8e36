using System.Text;
using ManagedRsync.Daemon;
using ManagedRsync.Client;

namespace ManagedRsync.Cli;

/// <summary>
/// `-V` and `-VV`, in stock rsync 3.5.0's formats (usage.c: print_rsync_version, print_info_flags, output_nno_list):
/// one -V prints the version, the capability and optimisation words ("no " before what is missing) and the
/// checksum, compression and daemon-auth lists; two or more print the same as JSON on stdout, the report rsync's test
/// suite and scripts read. Every word states what mrsync does, not what stock rsync was built with.
/// </summary>
internal static class VersionReport
{
    /// <summary>What a report says; <see cref="Mrsync"/> is ours, tests build stock's to check the format.</summary>
    internal sealed record Facts(
        string Program,
        string Version,
        string Copyright,
        string Url,
        IReadOnlyList<string> Capabilities,
        IReadOnlyList<string> Optimizations,
        IReadOnlyList<string> Checksums,
        IReadOnlyList<string> Compressions,
        IReadOnlyList<string> AuthDigests,
        string License,
        string Caveat,
        string TextFooter);

    /// <summary>
    /// mrsync's own facts. Capabilities follow what the option table implements (an option refused with exit 4 is a
    /// "no" here: crtimes, iconv; atimes are "yes" (-U); ACLs are "yes", and "ACL-at" too (stock's word for reading and writing them
    /// through the entry's held descriptor, never a path that is resolved again, which AclStore does); batch files are "yes" (written on push, pull and local copy,
    /// replayed into a local destination, a few replays refused by name); prealloc is "yes" since
    /// --preallocate is accepted, done by the receiving daemon on a push and refused where not done yet); secluded args
    /// are "optional" as in stock (off unless -s or RSYNC_PROTECT_ARGS); socketpairs serve stock's local and remote-shell
    /// transports, which mrsync runs over in-memory pipes and the shell's own pipes. The lists are what the
    /// session setup offers a daemon (plus "none", and xxh64's alias "xxhash" in the text form, as stock prints them).
    /// </summary>
    public static Facts Mrsync { get; } = new(
        Program: "mrsync",
        Version: typeof(VersionReport).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        Copyright: "(C) the ManagedRsync authors.",
        Url: "",
        Capabilities:
        [
            "64-bit files", "64-bit inums", "64-bit timestamps", "64-bit long ints", "no socketpairs", "symlinks",
            "symtimes", "hardlinks", "hardlink-specials", "hardlink-symlinks", "IPv6", "atimes", "batchfiles",
            "inplace", "append", "ACLs", "ACL-at", "xattrs", "optional secluded-args", "no iconv",
            "prealloc", "stop-at", "no crtimes",
        ],
        // The rolling checksum is vectorised (Checksums/RollingChecksum.cs, AVX2 or 128-bit vectors); the rest is .NET's.
        Optimizations: ["SIMD-roll", "no asm-roll", "no openssl-crypto", "no asm-MD5"],
        Checksums: [.. RsyncCapabilities.Checksums.SelectMany(c => c == "xxh64" ? new[] { c, "(xxhash)" } : [c]), "none"],
        Compressions: [.. RsyncCapabilities.Compressions, "none"],
        AuthDigests: [.. AuthDigestNegotiation.DefaultPreference.Select(AuthDigestNegotiation.Name)],
        License: "",
        Caveat: "mrsync comes with ABSOLUTELY NO WARRANTY",
        TextFooter: "\nmrsync comes with ABSOLUTELY NO WARRANTY.\n");

    /// <summary>The report for <paramref name="count"/> -V options: text for one, JSON for more (options.c: version_opt_cnt).</summary>
    public static string For(int count) => count > 1 ? Json(Mrsync) : Text(Mrsync);

    /// <summary>usage.c: print_rsync_version(FINFO).</summary>
    public static string Text(Facts f)
    {
        var w = new StringBuilder();
        w.Append(f.Program).Append("  version ").Append(f.Version).Append("  protocol version ")
            .Append(DaemonConnectOptions.MaxProtocolVersion).Append('\n');
        w.Append("Copyright ").Append(f.Copyright).Append('\n');
        w.Append("Web site: ").Append(f.Url).Append('\n');
        Flags(w, f, json: false);
        foreach ((string name, IReadOnlyList<string> list) in Lists(f))
            w.Append(name).Append(":\n    ").AppendJoin(' ', list).Append('\n');
        w.Append(f.TextFooter);
        return w.ToString();
    }

    /// <summary>usage.c: print_rsync_version(FNONE), the JSON form.</summary>
    public static string Json(Facts f)
    {
        var w = new StringBuilder();
        bool first = true;
        void Line(string name, string value)
        {
            w.Append(first ? '{' : ',').Append("\n  \"").Append(name).Append("\": \"").Append(value).Append('"');
            first = false;
        }
        Line("program", f.Program);
        Line("version", f.Version);
        Line("protocol", $"{DaemonConnectOptions.MaxProtocolVersion}.0"); // PROTOCOL_VERSION.SUBPROTOCOL_VERSION
        Line("copyright", f.Copyright);
        Line("url", f.Url);
        Flags(w, f, json: true);
        foreach ((string name, IReadOnlyList<string> list) in Lists(f))
        {
            // Aliases, written in parentheses, are left out of the JSON arrays.
            string[] names = [.. list.Where(n => !n.StartsWith('('))];
            w.Append(",\n  \"").Append(name.ToLowerInvariant().Replace(' ', '_')).Append("\": [\n   ");
            for (int i = 0; i < names.Length; i++)
                w.Append(" \"").Append(names[i]).Append('"').Append(i + 1 < names.Length ? "," : "");
            w.Append("\n  ]");
        }
        Line("license", f.License);
        Line("caveat", f.Caveat);
        w.Append("\n}\n");
        return w.ToString();
    }

    private static (string, IReadOnlyList<string>)[] Lists(Facts f) =>
        [("Checksum list", f.Checksums), ("Compress list", f.Compressions), ("Daemon auth list", f.AuthDigests)];

    // usage.c: print_info_flags: words packed into lines that stay under 75 characters, each section under a header.
    private const int LineLimit = 75;

    private static void Flags(StringBuilder w, Facts f, bool json)
    {
        bool inSection = false;
        foreach ((string header, IReadOnlyList<string> words) in new[] { ("Capabilities", f.Capabilities), ("Optimizations", f.Optimizations) })
        {
            if (json)
            {
                if (inSection)
                    w.Append("  }");
                w.Append(",\n  \"").Append(char.ToLowerInvariant(header[0])).Append(header.AsSpan(1)).Append("\": {\n");
            }
            else
            {
                w.Append(header).Append(":\n");
            }
            inSection = true;
            var line = new StringBuilder();
            for (int i = 0; i < words.Count; i++)
            {
                string item = (json ? JsonItem(words[i]) : " " + words[i]) + (i + 1 < words.Count ? "," : "");
                if (line.Length > 0 && line.Length + item.Length >= LineLimit)
                {
                    w.Append("   ").Append(line).Append('\n');
                    line.Clear();
                }
                line.Append(item);
            }
            if (line.Length > 0)
                w.Append("   ").Append(line).Append('\n');
        }
        if (json && inSection)
            w.Append("  }");
    }

    // usage.c: print_info_flags, as_json: "64-bit files" -> "file_bits": 64, "no X" -> "X": false, "optional X" ->
    // "X": "optional", a lone word -> true; '-' and ' ' in a key become '_'.
    private static string JsonItem(string word)
    {
        int space = word.IndexOf(' ');
        string key, value;
        if (space < 0)
        {
            key = word;
            value = "true";
        }
        else if (word.StartsWith("no ", StringComparison.Ordinal))
        {
            key = word[3..];
            value = "false";
        }
        else if (char.IsAsciiDigit(word[0]))
        {
            string rest = word[(space + 1)..];
            key = rest[..^1] + "_bits"; // "files" -> "file_bits"
            value = word[..word.IndexOf('-')];
        }
        else
        {
            key = word[(space + 1)..];
            value = "\"" + word[..space] + "\"";
        }
        return $" \"{key.Replace('-', '_').Replace(' ', '_')}\": {value}";
    }
}
