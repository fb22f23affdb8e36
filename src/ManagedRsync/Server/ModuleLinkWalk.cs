using ManagedRsync.Platform;

namespace ManagedRsync.Server;

/// <summary>
/// Where a merge file's name in a daemon module leads when the symlinks on its way are followed as stock 3.5.0 follows
/// them (syscall.c: ona_open with operator_path_resolve, which exclude.c: parse_filter_file sets for every file a
/// client's rule names): component by component from the module's directory, a symlink followed (an absolute target
/// from "/") only when root or this process owns it, the path it has reached tracked as openat would ("." and ".."
/// included) and refused with ELOOP as soon as a step lands outside the module, the module's own ancestors excepted
/// (abspath_outside_confinement: "../mod/x" passes through the module's parent on its way back). So a link to another
/// file of the module is read, by a relative or an absolute target, and one that leads out never is.
/// The walk only names the place: the caller opens it beneath the module with no link followed
/// (<see cref="BeneathRoot"/>), so a link swapped in after the walk makes the open fail, never lead out.
/// </summary>
internal static class ModuleLinkWalk
{
    // syscall.c: ona_open caps the symlinks it expands (not the depth) at 40.
    private const int MaxSymlinks = 40;

    /// <summary>The module-relative path <paramref name="relative"/> resolves to, or null with the errno.</summary>
    public static string? Resolve(string root, string relative, out int errno)
    {
        string[] rootParts = Path.GetFullPath(root).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var at = new List<string>(rootParts);
        var remaining = new Queue<string>(relative.Split('/', StringSplitOptions.RemoveEmptyEntries));
        uint euid = Interop.GetEffectiveUserId();
        int symlinks = MaxSymlinks;
        errno = 0;
        while (remaining.Count > 0)
        {
            string component = remaining.Dequeue();
            if (component == ".")
                continue;
            if (component == "..")
            {
                if (at.Count > 0)
                    at.RemoveAt(at.Count - 1);
                if (Outside(at, rootParts))
                    return Fail(Interop.ELOOP, out errno);
                continue;
            }
            string full = "/" + string.Join('/', at.Append(component));
            int err = NativeStat.TryLstat(full, out NativeStat.Info info);
            if (err != 0)
                return Fail(err, out errno);
            if ((info.Mode & (int)Interop.S_IFMT) == (int)Interop.S_IFLNK)
            {
                // A link someone else owns is an attacker's (ona_open: neither root nor the euid): not followed.
                if ((info.Uid != 0 && (uint)info.Uid != euid) || --symlinks < 0)
                    return Fail(Interop.ELOOP, out errno);
                if (ReadLink(full, out err) is not { Length: > 0 } target)
                    return Fail(err != 0 ? err : Interop.ENOENT, out errno);
                if (target.StartsWith('/'))
                    at.Clear();
                var spliced = new Queue<string>(target.Split('/', StringSplitOptions.RemoveEmptyEntries).Concat(remaining));
                remaining = spliced;
                continue;
            }
            if (remaining.Count > 0 && (info.Mode & (int)Interop.S_IFMT) != (int)Interop.S_IFDIR)
                return Fail(Interop.ENOTDIR, out errno);
            at.Add(component);
            if (Outside(at, rootParts))
                return Fail(Interop.ELOOP, out errno);
        }
        if (at.Count < rootParts.Length)
            return Fail(Interop.ELOOP, out errno);
        return at.Count == rootParts.Length ? "." : string.Join('/', at.Skip(rootParts.Length));
    }

    // Neither in the module nor one of its ancestors (the walk still on its way down to it).
    private static bool Outside(List<string> at, string[] rootParts)
    {
        int common = Math.Min(at.Count, rootParts.Length);
        for (int i = 0; i < common; i++)
        {
            if (at[i] != rootParts[i])
                return true;
        }
        return false;
    }

    private static unsafe string? ReadLink(string path, out int errno)
    {
        const int max = 4096;
        byte* buffer = stackalloc byte[max];
        fixed (byte* name = FileNameEncoding.EncodeNullTerminated(path))
        {
            nint n = Interop.ReadLink(name, buffer, max - 1);
            errno = n < 0 ? System.Runtime.InteropServices.Marshal.GetLastPInvokeError() : 0;
            return n < 0 ? null : FileNameEncoding.Decode(new ReadOnlySpan<byte>(buffer, (int)n));
        }
    }

    private static string? Fail(int err, out int errno)
    {
        errno = err;
        return null;
    }
}
