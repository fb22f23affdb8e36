namespace ManagedRsync.Watch;

/// <summary>What a replica still owes for one path; later changes to a path replace earlier ones.</summary>
public enum PendingOp : byte
{
    /// <summary>Send the path as itself.</summary>
    Send = (byte)'S',
    /// <summary>Send the directory recursively.</summary>
    SendTree = (byte)'T',
    /// <summary>Delete the path on the replica.</summary>
    Delete = (byte)'D',
}
