namespace ManagedRsync.Roles;

/// <summary>
/// The parts of an incremental file list, as both sides number them (flist.c: flist_new): each part covers the slot
/// for its directory (its start - 1) up to its end, in ascending order.
/// </summary>
internal static class ListParts
{
    /// <summary>
    /// rsync.c: flist_for_ndx — the last part, from <paramref name="first"/> on, whose directory slot is at or before
    /// <paramref name="ndx"/> (<paramref name="first"/> itself when none is); the caller checks that it holds the index.
    /// </summary>
    public static int Find<T>(List<T> parts, int first, int ndx, Func<T, int> start)
    {
        int lo = first, hi = parts.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (start(parts[mid]) - 1 <= ndx)
                lo = mid;
            else
                hi = mid - 1;
        }
        return lo;
    }
}
