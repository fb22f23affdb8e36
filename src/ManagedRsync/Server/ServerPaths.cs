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
    /// Walks <paramref name="relative"/> (already sanitized) beneath <paramref name="root"/>: every component that
    /// exists must be a directory that is not a symlink, except the last when <paramref name="lastMayBeAnything"/>
    /// (a sender sends a symlink named as an argument as a symlink; it never follows it). Returns 0 or the errno that
    /// stops the walk (ELOOP for a symlink, ENOTDIR for a file in the middle); a missing component ends the walk
    /// with 0 (nothing beneath it exists to be followed: what is made there is made by the confined writer).
    /// </summary>
    public static int CheckBeneath(string root, string relative, bool lastMayBeAnything)
    {
        string[] parts = relative.TrimEnd('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        bool trailingSlash = relative.EndsWith('/');
        string path = root;
        for (int i = 0; i < parts.Length; i++)
        {
            if (parts[i] == ".")
                continue;
            path = Path.Join(path, parts[i]);
            int err = NativeStat.TryLstat(path, out NativeStat.Info info);
            if (err == Interop.ENOENT)
                return 0;
            if (err != 0)
                return err;
            bool last = i == parts.Length - 1;
            if (last && lastMayBeAnything && !trailingSlash)
                return 0;
            var type = info.Mode & FileEntry.S_IFMT;
            if (type == FileEntry.S_IFLNK)
                return Interop.ELOOP;
            if (type != FileEntry.S_IFDIR)
                return last ? 0 : Interop.ENOTDIR;
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
