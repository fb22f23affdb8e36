using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Server;

/// <summary>
/// The paths a client names, as a confined server takes them: made module-relative (rsync util1.c: sanitize_path, run
/// for every argument when sanitize_paths is set by a daemon module) and then walked beneath the module one component
/// at a time without following a symlink (the guarantee stock 3.5.0 gets from secure_relative_open / openat2
/// RESOLVE_BENEATH, syscall.c), so no argument reaches outside the module whatever the module holds.
/// </summary>
internal static class ServerPaths
{
    /// <summary>
    /// rsync util1.c: sanitize_path — leading slashes are dropped, "." components dropped, ".." removes the component
    /// before it and never climbs above the start; a trailing slash is kept. An empty result is ".".
    /// </summary>
    public static string Sanitize(string path)
    {
        var parts = new List<string>();
        foreach (string part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0)
                    parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        string joined = parts.Count == 0 ? "." : string.Join('/', parts);
        return path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal) || path == "."
            ? joined + "/"
            : joined;
    }

    /// <summary>
    /// Walks <paramref name="relative"/> (already sanitized) beneath <paramref name="root"/> as stock 3.5.0's daemon
    /// does (util1.c: change_dir and syscall.c: secure_relative_open, anchored at the module): every component that
    /// exists must lead to a directory, and a symlink on the way is followed only while it stays beneath the module (a
    /// relative target whose ".." never climbs above the root; an absolute target or an escape is ELOOP), through
    /// openat2 RESOLVE_BENEATH (<see cref="BeneathRoot"/>). The last component is not followed when
    /// <paramref name="lastMayBeAnything"/> (a sender sends a symlink named as an argument as a symlink). Returns 0 or
    /// the errno that stops the walk (ELOOP for a link that leads out, ENOTDIR for a file in the middle); a missing
    /// component ends the walk with 0 (nothing beneath it exists to be followed: what is made there is made by the
    /// confined writer).
    /// </summary>
    public static int CheckBeneath(string root, string relative, bool lastMayBeAnything)
    {
        string[] parts = relative.TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => p != ".").ToArray();
        bool trailingSlash = relative.EndsWith('/');
        if (parts.Length == 0)
            return 0;
        using BeneathRoot beneath = BeneathRoot.Open(root, "");
        for (int i = 0; i < parts.Length; i++)
        {
            bool last = i == parts.Length - 1;
            if (last && lastMayBeAnything && !trailingSlash)
                return 0;
            int fd = beneath.Open(string.Join('/', parts, 0, i + 1), Interop.O_PATH | Interop.O_DIRECTORY, out int err);
            if (fd >= 0)
            {
                _ = Interop.Close(fd);
                continue;
            }
            if (err == Interop.ENOENT)
                return 0;
            // A file (or a link to one) at the end is the caller's to judge; in the middle it ends the walk.
            if (err == Interop.ENOTDIR)
                return last ? 0 : Interop.ENOTDIR;
            return err;
        }
        return 0;
    }

    /// <summary>
    /// util1.c: glob_expand_module — a daemon's "MODULE/path" loses its module name (the rest is then sanitized as
    /// module-relative); a path without it, or a server that is no daemon module (null), is left as it is.
    /// </summary>
    public static string WithoutModule(string path, string? module) =>
        module is not null && path.StartsWith(module, StringComparison.Ordinal)
            && (path.Length == module.Length || path[module.Length] == '/')
            ? (path.Length == module.Length ? "/" : path[module.Length..])
            : path;
}
