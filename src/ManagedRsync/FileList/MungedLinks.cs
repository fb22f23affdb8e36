namespace ManagedRsync.FileList;

/// <summary>
/// rsync's symlink munging (rsync.h: SYMLINK_PREFIX "/rsyncd-munged/"): a receiver that munges stores every received
/// target behind the prefix, so no link it makes can be followed (flist.c: recv_file_entry), and a sender that munges
/// sends a target that starts with the prefix without it (flist.c: readlink_stat, only when something follows it).
/// A daemon module does it with "munge symlinks"; a client with --munge-links, each side for itself (options.c:
/// server_options never sends it; pipe.c: local_child clears it for a local copy's receiving half).
/// </summary>
internal static class MungedLinks
{
    private static readonly byte[] s_prefix = "/rsyncd-munged/"u8.ToArray();

    /// <summary>rsync.h SYMLINK_PREFIX without its slash: the directory whose presence makes munging unsafe.</summary>
    public const string UnsafeDirectory = "/rsyncd-munged";

    /// <summary>The target a munging receiver stores.</summary>
    public static byte[] Munge(byte[] target) => [.. s_prefix, .. target];

    /// <summary>The target a munging sender sends for what it read from disk.</summary>
    public static byte[] Unmunge(byte[] target) =>
        target.Length > s_prefix.Length && target.AsSpan().StartsWith(s_prefix) ? target[s_prefix.Length..] : target;
}
