using System.Runtime.InteropServices;

namespace ManagedRsync.Platform;

/// <summary>Process credentials: geteuid(2) (the password-file rules differ for root, rsync authenticate.c: getpassf).</summary>
internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
