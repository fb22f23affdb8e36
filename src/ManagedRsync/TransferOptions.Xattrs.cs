namespace ManagedRsync;

// -X/--xattrs (issue 11 item 13; options.c: preserve_xattrs, xattrs.c).
public sealed partial record TransferOptions
{
    /// <summary>
    /// -X (1) or -XX (2): extended attributes travel with the file list (user.* only where the receiving side is not
    /// root); -XX also copies the rsync.% names a fake-super side keeps (options.c: preserve_xattrs).
    /// </summary>
    public int Xattrs { get; init; }
}
