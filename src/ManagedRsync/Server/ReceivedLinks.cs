using ManagedRsync.FileList;

namespace ManagedRsync.Server;

/// <summary>
/// What a daemon module does to the symlink targets it sends and receives, on the bytes (rsync flist.c): with
/// "munge symlinks" a received target gets the "/rsyncd-munged/" prefix (recv_file_entry), so no link the client
/// makes can be followed, and a sent one loses it (readlink_stat); without munging, a module that is not chrooted
/// (sanitize_paths, which mrsync's always are) sanitizes each received target (recv_file_entry:
/// sanitize_path(bp, bp, "", lastdir_depth)): leading slashes go, and ".." may climb only as many levels as the
/// link's own directory is deep.
/// </summary>
internal sealed class ReceivedLinks(bool munge)
{
    /// <summary>The depth of the last directory seen (flist.c: lastdir_depth is static and only changes on a name with a '/').</summary>
    private int _lastDirDepth;

    /// <summary>The target a receiving module stores for the link called <paramref name="name"/> (in list order).</summary>
    public byte[] Map(byte[] name, byte[] target)
    {
        int slash = Array.LastIndexOf(name, (byte)'/');
        if (slash >= 0)
            _lastDirDepth = CountDirElements(name.AsSpan(0, slash));
        if (munge)
            return MungedLinks.Munge(target);
        return target.Length == 0 ? target : Sanitize(target, _lastDirDepth);
    }

    // util1.c: count_dir_elements — components, not counting "." ones.
    private static int CountDirElements(ReadOnlySpan<byte> p)
    {
        int count = 0;
        bool newComponent = true;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == '/')
                newComponent = i + 1 >= p.Length || p[i + 1] != '.' || (i + 2 < p.Length && p[i + 2] != '/');
            else if (newComponent)
            {
                newComponent = false;
                count++;
            }
        }
        return count;
    }

    // util1.c: sanitize_path(dest == p, rootdir "", depth, SP_DEFAULT): slashes and "." components dropped, ".."
    // kept only while it leads and depth allows, otherwise it removes the component before it (never climbing past
    // the start); an empty result is ".". A trailing slash survives.
    internal static byte[] Sanitize(ReadOnlySpan<byte> p, int depth)
    {
        var dest = new List<byte>(p.Length);
        int start = 0;
        int i = 0;
        while (i < p.Length && p[i] == '.' && i + 1 < p.Length && p[i + 1] == '/')
            i += 2;
        while (i < p.Length)
        {
            if (p[i] == '/')
            {
                i++;
                continue;
            }
            if (p[i] == '.' && (i + 1 == p.Length || p[i + 1] == '/'))
            {
                i++;
                continue;
            }
            if (p[i] == '.' && i + 1 < p.Length && p[i + 1] == '.' && (i + 2 == p.Length || p[i + 2] == '/'))
            {
                if (depth <= 0 || dest.Count != start)
                {
                    i += 2;
                    if (dest.Count != start)
                    {
                        // Back up one component: to just after the slash before the last one.
                        int s = dest.Count - 1;
                        while (s > start && dest[s - 1] != '/')
                            s--;
                        dest.RemoveRange(s, dest.Count - s);
                    }
                    continue;
                }
                depth--;
                start = dest.Count + 3;
            }
            while (i < p.Length)
            {
                byte b = p[i++];
                dest.Add(b);
                if (b == '/')
                    break;
            }
        }
        if (dest.Count == 0)
            dest.Add((byte)'.');
        return [.. dest];
    }
}
