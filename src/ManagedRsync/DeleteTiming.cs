namespace ManagedRsync;

/// <summary>When deletions happen on the receiver (rsync --delete-before/-during/-delay/-after).</summary>
public enum DeleteTiming
{
    /// <summary>No --delete.</summary>
    None,
    /// <summary>--delete: rsync picks (during from protocol 30, before for older peers).</summary>
    Default,
    /// <summary>--delete-before.</summary>
    Before,
    /// <summary>--delete-during / --del.</summary>
    During,
    /// <summary>--delete-delay.</summary>
    Delay,
    /// <summary>--delete-after.</summary>
    After,
}
