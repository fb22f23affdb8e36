namespace ManagedRsync;

public sealed partial record TransferOptions
{
    /// <summary>
    /// --inc-recursive (the default) / --no-inc-recursive, --no-i-r: whether a recursive transfer may send its file
    /// list directory by directory while files already move (rsync options.c: allow_inc_recurse, 1 unless
    /// --no-inc-recursive; compat.c: set_allow_inc_recurse narrows it further).
    /// </summary>
    public bool IncrementalRecursion { get; init; } = true;
}
