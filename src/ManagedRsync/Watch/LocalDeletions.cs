namespace ManagedRsync.Watch;

/// <summary>When rsync's receiver deletes (--delete-before, --delete-during/--delete, --delete-after/--delete-delay).</summary>
public enum DeleteMoment
{
    /// <summary>--delete-before: one pass before any transfer.</summary>
    Before,
    /// <summary>--delete, --del, --delete-during: directory by directory, as the walk reaches it.</summary>
    During,
    /// <summary>--delete-after, --delete-delay: once the transfers are done.</summary>
    After,
}

/// <summary>
/// Which deletions a local replica makes, and when, as rsync's delete options ask: <see cref="Extraneous"/> entries the
/// source lacks (every --delete form but --delete-missing-args alone), <see cref="Listed"/> paths the watcher saw
/// deleted (any of them, --delete-missing-args included), at <see cref="Timing"/>.
/// </summary>
/// <param name="Extraneous">Delete what the source lacks when a tree is mirrored.</param>
/// <param name="Listed">Delete the paths a batch reports deleted.</param>
/// <param name="Timing">When.</param>
public sealed record LocalDeletions(bool Extraneous, bool Listed, DeleteMoment Timing)
{
    /// <summary>No deletions.</summary>
    public static LocalDeletions None { get; } = new(false, false, DeleteMoment.During);

    /// <summary>rsync --delete.</summary>
    public static LocalDeletions During { get; } = new(true, true, DeleteMoment.During);

    /// <summary>What rsync's options ask for.</summary>
    public static LocalDeletions For(DeleteTiming delete, bool deleteMissingArgs) => new(
        Extraneous: delete != DeleteTiming.None,
        Listed: delete != DeleteTiming.None || deleteMissingArgs,
        Timing: delete switch
        {
            DeleteTiming.Before => DeleteMoment.Before,
            DeleteTiming.After or DeleteTiming.Delay => DeleteMoment.After,
            _ => DeleteMoment.During,
        });
}
