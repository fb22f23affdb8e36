using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>Process credentials: geteuid(2) (the password-file rules differ for root, rsync authenticate.c: getpassf).</summary>
internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    /// <summary>getegid(2): a daemon's "gid" parameter may only name the group it runs with.</summary>
    [LibraryImport(Libc, EntryPoint = "getegid")]
    public static partial uint GetEffectiveGroupId();
}
