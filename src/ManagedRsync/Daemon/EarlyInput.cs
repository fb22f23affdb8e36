using System.Globalization;
using System.Runtime.InteropServices;
using ManagedRsync.Platform;

namespace ManagedRsync.Daemon;

/// <summary>
/// --early-input=FILE (rsync clientserver.c: start_inband_exchange, EARLY_INPUT_CMD): after the greetings the client
/// sends <c>#early_input=LEN\n</c> and LEN bytes of the file, when it is not empty; the daemon gives them to the
/// module's "early exec" program on its stdin, before authentication. The file is opened as the password file is,
/// refusing a symlink an untrusted user owns (syscall.c: open_no_attacker_symlinks), and must fit in the client's
/// line buffer (BIGPATHBUFLEN: 4096 + 1024 on Linux).
/// </summary>
internal static class EarlyInput
{
    /// <summary>rsync.h: BIGPATHBUFLEN with Linux's MAXPATHLEN of 4096.</summary>
    public const int MaxBytes = 4096 + 1024;

    public static string Header(int length) => string.Create(CultureInfo.InvariantCulture, $"#early_input={length}\n");

    /// <summary>The file's bytes.</summary>
    /// <exception cref="RsyncException">Unopenable, too big, or shorter than it said (exit 5, stock's messages).</exception>
    public static byte[] Read(string path)
    {
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.OpenForReading(path);
        if (opened.Handle is not { } handle)
        {
            string reason = $"failed to open {path}: {Marshal.GetPInvokeErrorMessage(opened.Errno)} ({opened.Errno})";
            throw Failure(opened.UntrustedSymlink ? OwnerCheckedOpen.RefusalNote + "\n" + reason : reason);
        }
        using (handle)
        {
            long size = RandomAccess.GetLength(handle);
            if (size > MaxBytes)
                throw Failure($"{path} is > {MaxBytes} bytes.");
            byte[] bytes = new byte[size];
            int total = 0;
            while (total < bytes.Length)
            {
                int read = RandomAccess.Read(handle, bytes.AsSpan(total), total);
                if (read == 0)
                    throw Failure($"Early EOF in {path}");
                total += read;
            }
            return bytes;
        }
    }

    private static RsyncException Failure(string message) => new(RsyncErrorKind.StartFailed, message);
}
