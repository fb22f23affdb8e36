namespace ManagedRsync.FileList;

/// <summary>
/// Whether a symlink can lead outside the transferred tree (rsync util1.c: unsafe_symlink), for --copy-unsafe-links on
/// the sender and --safe-links on the receiver. Absolute and empty targets are unsafe; so is a target with a ".."
/// component anywhere but in its leading run of "../" (the CVE-2024-12088 fix: "a/../../x" was counted as harmless
/// before), or ending in "/..". Otherwise the target's ".." components may climb no higher than the link's own
/// directory depth inside the transfer.
/// </summary>
internal static class SymlinkSafety
{
    /// <param name="target">The symlink's contents.</param>
    /// <param name="name">The link's name relative to the top of the transfer.</param>
    public static bool IsUnsafe(ReadOnlySpan<byte> target, ReadOnlySpan<byte> name)
    {
        if (target.IsEmpty || target[0] == (byte)'/')
            return true;

        ReadOnlySpan<byte> rest = target;
        while (rest.StartsWith("../"u8))
            rest = SkipSlashes(rest[3..]);
        if (rest.IndexOf("/../"u8) >= 0 || (target.Length > 3 && target.EndsWith("/.."u8)))
            return true;

        // The margin: one per directory component of the link's name; ".." starts the count over, "." is ignored.
        int depth = 0;
        ReadOnlySpan<byte> path = name;
        int slash;
        while ((slash = path.IndexOf((byte)'/')) >= 0)
        {
            ReadOnlySpan<byte> component = path[..slash];
            if (component.SequenceEqual(".."u8))
                depth = 0;
            else if (!component.SequenceEqual("."u8))
                depth++;
            path = SkipSlashes(path[(slash + 1)..]);
        }
        if (path.SequenceEqual(".."u8))
            depth = 0;

        // Each ".." of the target climbs one; going above the link's top directory at any point is unsafe.
        path = target;
        while ((slash = path.IndexOf((byte)'/')) >= 0)
        {
            ReadOnlySpan<byte> component = path[..slash];
            if (component.SequenceEqual(".."u8))
            {
                if (--depth < 0)
                    return true;
            }
            else if (!component.SequenceEqual("."u8))
            {
                depth++;
            }
            path = SkipSlashes(path[(slash + 1)..]);
        }
        if (path.SequenceEqual(".."u8))
            depth--;
        return depth < 0;
    }

    private static ReadOnlySpan<byte> SkipSlashes(ReadOnlySpan<byte> path)
    {
        int i = 0;
        while (i < path.Length && path[i] == (byte)'/')
            i++;
        return path[i..];
    }
}
