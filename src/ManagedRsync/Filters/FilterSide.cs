namespace ManagedRsync.Filters;

/// <summary>Which role's view of the filter list: the side that builds the file list, or the side that deletes.</summary>
public enum FilterSide
{
    /// <summary>The sender: what goes into the file list (hide/show rules apply here).</summary>
    Sender,
    /// <summary>The receiver: what --delete must leave alone (protect/risk rules apply here).</summary>
    Receiver,
}

/// <summary>The outcome of checking a name against a filter list (rsync exclude.c check_filter).</summary>
public enum FilterResult
{
    /// <summary>No rule matched: the name is included.</summary>
    NoMatch = 0,
    /// <summary>An include (or show, or risk) rule matched first.</summary>
    Included = 1,
    /// <summary>An exclude (or hide, or protect) rule matched first.</summary>
    Excluded = -1,
}
