namespace ManagedRsync.Watch;

/// <summary>What a replica still owes for one path; later changes to a path replace earlier ones.</summary>
public enum PendingOp : byte
{
    Send = (byte)'S',
    SendTree = (byte)'T',
    Delete = (byte)'D',
}
