namespace ManagedRsync.Platform;

/// <summary>
/// The process umask, which --chmod rules without a "who" respect (main.c reads it before parse_arguments:
/// umask(orig_umask = umask(0))). Read from /proc/self/status ("Umask:", Linux 4.7+) rather than by setting it, which
/// would race with any thread creating a file; 022 when it cannot be read.
/// </summary>
public static class ProcessUmask
{
    private static readonly Lazy<int> Read = new(() =>
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    return Convert.ToInt32(line["Umask:".Length..].Trim(), 8);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0x12;
    });

    /// <summary>The umask, read once.</summary>
    public static int Value => Read.Value;
}
