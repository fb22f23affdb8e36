using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Roles;

/// <summary>
/// When the abbreviated-value request of -X travels in the index stream (rsync generator.c: itemize, sender.c:
/// write_ndx_and_attrs, receiver.c and sender.c: recv_files/send_files): after an index whose flags say
/// ITEM_REPORT_XATTR, with transfers on, except for a hard link's follower (ITEM_XNAME_FOLLOWS with
/// ITEM_LOCAL_CHANGE) when both sides agreed on the xattr hard-link optimisation (protocol 31 without the client's
/// CF_AVOID_XATTR_OPTIM; compat.c: want_xattr_optim).
/// </summary>
internal static class XattrExchange
{
    public static bool WantOptimisation(SessionParameters session) =>
        session.Protocol >= 31 && (session.Flags & CompatFlags.AvoidXattrOptim) == 0;

    public static bool Follows(TransferOptions options, SessionParameters session, ItemChanges iflags) =>
        options.Xattrs > 0 && (iflags & ItemChanges.Xattr) != 0 && options.Transfers && !IsOptimisedLink(session, iflags);

    /// <summary>
    /// receiver.c: recv_files — an itemized entry without a transfer whose xattrs differ (not a hard link's follower,
    /// ITEM_XNAME_FOLLOWS with ITEM_LOCAL_CHANGE, whatever the optimisation) gets set_file_attrs(fname, file, NULL,
    /// fname, 0) from the receiver, with transfers on: its xattrs, and again its ACLs, owner, time and mode, after the
    /// generator's own set_file_attrs of the entry (see protocol-notes "-A/--acls", set-id and sticky bits).
    /// </summary>
    public static bool ReceiverSetsAttributes(TransferOptions options, ItemChanges iflags) =>
        options.Xattrs > 0 && options.Transfers && (iflags & (ItemChanges.Xattr | ItemChanges.Transfer)) == ItemChanges.Xattr
        && (iflags & (ItemChanges.OtherNameFollows | ItemChanges.LocalChange)) != (ItemChanges.OtherNameFollows | ItemChanges.LocalChange);

    /// <summary>A hard link's follower whose xattrs come with its leader (the optimisation on).</summary>
    public static bool IsOptimisedLink(SessionParameters session, ItemChanges iflags) =>
        WantOptimisation(session)
        && (iflags & (ItemChanges.OtherNameFollows | ItemChanges.LocalChange)) == (ItemChanges.OtherNameFollows | ItemChanges.LocalChange);
}
