using ManagedRsync.Platform;

namespace ManagedRsync.Cli;

/// <summary>
/// Where the daemon password comes from, exactly as rsync takes it (rsync authenticate.c: auth_client, getpassf):
/// <c>--password-file</c>, else <c>RSYNC_PASSWORD</c>, else a prompt, but only when stdin is a terminal.
/// </summary>
internal static class PasswordSource
{
    // rsync authenticate.c: getpassf reads at most this much of the file.
    private const int MaxFileBytes = 511;

    /// <summary>The password, resolved when the daemon asks for one (never before, as rsync).</summary>
    /// <exception cref="RsyncException">A password-file problem: exit 1 with rsync's message.</exception>
    public static string? Get(string? passwordFile, CliContext context)
    {
        if (passwordFile != null)
        {
            return passwordFile == "-" ? FirstLine(context.In.ReadLine() ?? "", passwordFile) : ReadFile(passwordFile);
        }
        if (context.GetEnvironmentVariable("RSYNC_PASSWORD") is { } fromEnvironment)
        {
            return fromEnvironment;
        }
        return context.StdinIsTerminal ? Prompt(context) : null;
    }

    private static string ReadFile(string path)
    {
        // rsync authenticate.c: getpassf opens with open_no_attacker_symlinks: no symlink someone else owns is
        // followed, as the leaf or as any parent directory.
        var opened = OwnerCheckedOpen.OpenForReading(path);
        if (opened.Handle is not { } handle)
        {
            string reason = $"rsync: could not open password file {path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(opened.Errno)} ({opened.Errno})";
            throw Usage(opened.UntrustedSymlink ? OwnerCheckedOpen.RefusalNote + "\n" + reason : reason);
        }
        byte[] content;
        using (handle)
        {
            // rsync authenticate.c: getpassf checks the opened file (fstat), not the path.
            var (owner, mode) = NativeStat.OwnerAndMode(handle);
            if ((mode & 0x6) != 0)
            {
                throw Usage("ERROR: password file must not be other-accessible");
            }
            if (Interop.GetEffectiveUserId() == 0 && owner != 0)
            {
                throw Usage("ERROR: password file must be owned by root when running as root");
            }
            content = new byte[MaxFileBytes];
            try
            {
                int n = RandomAccess.Read(handle, content, 0);
                Array.Resize(ref content, n);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // rsync authenticate.c: getpassf: a failed read (a directory: EISDIR) reads no password.
                throw Usage($"ERROR: failed to read a password from {path}");
            }
        }
        return FirstLine(System.Text.Encoding.UTF8.GetString(content), path);
    }

    // rsync: strtok(buffer, "\n\r"): leading line breaks are skipped, the password ends at the next one.
    private static string FirstLine(string text, string source)
    {
        var rest = text.AsSpan().TrimStart("\r\n");
        int end = rest.IndexOfAny('\r', '\n');
        var line = end < 0 ? rest : rest[..end];
        return line.IsEmpty ? throw Usage($"ERROR: failed to read a password from {source}") : line.ToString();
    }

    private static string? Prompt(CliContext context)
    {
        context.Error.Write("Password: ");
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                context.Error.WriteLine();
                return password.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                password.Append(key.KeyChar);
            }
        }
    }

    private static RsyncException Usage(string message) => new(RsyncErrorKind.Usage, RsyncExitCode.Syntax, message);
}
