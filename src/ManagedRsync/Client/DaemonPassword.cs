using ManagedRsync.Platform;

namespace ManagedRsync.Client;

/// <summary>
/// Where a daemon password comes from, exactly as rsync's client takes it (rsync authenticate.c: auth_client,
/// getpassf): <c>--password-file</c> (<c>-</c> is standard input), else <c>RSYNC_PASSWORD</c>, else a prompt, which
/// rsync only shows when standard input is a terminal. Use it in <see cref="PushRequest.Password"/>, which is
/// called only when the daemon asks, as rsync reads the file only then.
/// </summary>
public static class DaemonPassword
{
    // rsync authenticate.c: getpassf reads at most this much of the file.
    private const int MaxFileBytes = 511;

    /// <summary>The password, resolved in rsync's order.</summary>
    /// <param name="passwordFile">--password-file: a path, or "-" for the first line of <paramref name="standardInput"/>; null if not given.</param>
    /// <param name="standardInput">Read for "-".</param>
    /// <param name="environment">Looks up RSYNC_PASSWORD (e.g. <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <param name="prompt">Asks the user when nothing else gives a password; null means no prompt (no password).</param>
    /// <returns>The password, or null for none.</returns>
    /// <exception cref="RsyncException">A password-file problem (<see cref="RsyncErrorKind.Usage"/>), with rsync's message.</exception>
    public static string? Resolve(string? passwordFile, TextReader standardInput, Func<string, string?> environment, Func<string?>? prompt)
    {
        ArgumentNullException.ThrowIfNull(standardInput);
        ArgumentNullException.ThrowIfNull(environment);
        if (passwordFile != null)
        {
            return passwordFile == "-" ? FirstLine(standardInput.ReadLine() ?? "", passwordFile) : ReadFile(passwordFile);
        }
        return environment("RSYNC_PASSWORD") ?? prompt?.Invoke();
    }

    /// <summary>
    /// Reads a password file as rsync's getpassf does: no symlink owned by someone other than root or us is followed
    /// (as the leaf or any parent), the file must not be other-accessible, must be root's when running as root, and the
    /// password is its first line (leading line breaks skipped; at most 511 bytes are read).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The password.</returns>
    /// <exception cref="RsyncException">The file is refused or unreadable (<see cref="RsyncErrorKind.Usage"/>), with rsync's message.</exception>
    public static string ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ReadPasswordFile(path);
    }

    private static string ReadPasswordFile(string path)
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

    private static RsyncException Usage(string message) => new(RsyncErrorKind.Usage, message);
}
