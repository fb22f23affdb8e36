using System.Text;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// A fake remote shell for recording what a client asks it to run: a script named <c>ssh</c> (so a client adds -4/-6
/// as it would for ssh) that writes its argument vector, NUL-separated, beside itself, and when the server's letters
/// start with "-s" also the secluded words the client sends on its stdin (rsync.c: send_protected_args: NUL-terminated
/// words up to an empty one). Then it exits without answering, so the client stops at the version exchange.
/// </summary>
public sealed class RecordingShell
{
    private const string Script = """
        #!/bin/bash
        export LC_ALL=C
        dir=$(dirname "$0")
        printf '%s\0' "$@" > "$dir/argv.part"
        args=("$@")
        n=${#args[@]}
        i=0
        while [ $i -lt $n ] && [ "${args[i]}" != --server ]; do i=$((i+1)); done
        j=$((i+1))
        [ "${args[j]}" = --sender ] && j=$((j+1))
        case "${args[j]}" in
          -s*)
            : > "$dir/secluded.part"
            while IFS= read -r -d '' word; do
              [ -z "$word" ] && break
              printf '%s\0' "$word" >> "$dir/secluded.part"
            done
            mv "$dir/secluded.part" "$dir/secluded";;
        esac
        mv "$dir/argv.part" "$dir/argv"
        """;

    /// <summary>
    /// A recording shell in <paramref name="directory"/> (one per client run: the record goes beside it): a symbolic
    /// link named ssh to <paramref name="script"/>, written once by <see cref="WriteScript"/> (a script written while
    /// other threads start processes can be "Text file busy" to exec, as a forked child may hold it open for writing).
    /// </summary>
    public RecordingShell(string directory, string script)
    {
        System.IO.Directory.CreateDirectory(directory);
        Directory = directory;
        Path = System.IO.Path.Combine(directory, "ssh");
        File.CreateSymbolicLink(Path, script);
    }

    /// <summary>Writes the recording script to <paramref name="path"/>; call before starting any client.</summary>
    public static string WriteScript(string path)
    {
        File.WriteAllText(path, Script.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>The directory the script and its record are in.</summary>
    public string Directory { get; }

    /// <summary>The script, to give as -e or RSYNC_RSH.</summary>
    public string Path { get; }

    /// <summary>What the client started: argv after the script's own name, and the secluded words (null without -s).</summary>
    public ShellRecord? Take()
    {
        string argv = System.IO.Path.Combine(Directory, "argv");
        if (!File.Exists(argv))
            return null;
        string secluded = System.IO.Path.Combine(Directory, "secluded");
        return new ShellRecord(Words(File.ReadAllBytes(argv)), File.Exists(secluded) ? Words(File.ReadAllBytes(secluded)) : null);
    }

    // NUL-terminated words, each byte as one char (Latin-1) so names that are not UTF-8 compare byte for byte.
    private static string[] Words(byte[] bytes) =>
        Encoding.Latin1.GetString(bytes).Split('\0')[..^1];
}

/// <summary>One client's remote command: the shell's arguments and, with -s, the words sent on the connection.</summary>
public sealed record ShellRecord(IReadOnlyList<string> Argv, IReadOnlyList<string>? Secluded)
{
    /// <summary>One word per line, "argv:" then "secluded:" words.</summary>
    public string Render(bool withoutIncRecurse = false)
    {
        var text = new StringBuilder();
        foreach (string word in Argv)
            text.Append("argv: ").Append(withoutIncRecurse ? WithoutIncRecurse(word) : word).Append('\n');
        foreach (string word in Secluded ?? [])
            text.Append("secluded: ").Append(word).Append('\n');
        return text.ToString();
    }

    // Stock offers incremental recursion with 'i' right after "e." in its letters (options.c: maybe_add_e_option);
    // mrsync only where it implements it (protocol-notes §25, ServerArgumentsTests.PullOffersIncrementalRecursion),
    // so comparisons leave the letter out on both sides.
    private static string WithoutIncRecurse(string word) =>
        System.Text.RegularExpressions.Regex.Replace(word, @"^(-[A-Za-z]*e\.)i([A-Za-z]*)$", "$1$2");
}
