using System.Collections.Concurrent;
using ManagedRsync.FileList;

namespace ManagedRsync.Roles.Receiving;

// -A on the receiving side: the ACLs an entry is to have, with the sender's ids mapped to this side's.
internal sealed partial class ReceiveRun
{
    // Each received ACL is shared by every entry that names it (the caches, acls.c: access_acl_list); it is mapped once.
    private readonly ConcurrentDictionary<RsyncAcl, RsyncAcl> _mappedAcls = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// The ACLs <paramref name="file"/> asks for, ids mapped as stock maps them (uidlist.c: recv_id_list calls
    /// match_acl_ids after the id lists unless --numeric-ids without a map; with incremental recursion recv_ida_entries
    /// maps each as it arrives, its name with it when one came): a user's by --usermap or its name, a group's by
    /// --groupmap or its name, root's name never. Null without -A and for a symlink.
    /// </summary>
    public EntryAcls? WantedAcls(FileEntry file)
    {
        if (!Options.Acls || file.IsSymlink || file.Acls is not { } acls)
            return null;
        return new EntryAcls(Mapped(acls.Access), acls.Default is { } d ? Mapped(d) : null);
    }

    private RsyncAcl Mapped(RsyncAcl acl)
    {
        if (acl.Names.Length == 0)
            return acl;
        return _mappedAcls.GetOrAdd(acl, a =>
        {
            bool numeric = Options.NumericIds || Options.NumericIdsHere;
            if (numeric && Options.UserMap is null && Options.GroupMap is null)
                return a;
            ReadIdMaps();
            return a.MapIds(ida => ida.IsUser
                ? (uint)_ids.MapUser((int)ida.Id, SenderName((int)ida.Id, List.UserNames, numeric))
                : (uint)_ids.MapGroup((int)ida.Id, SenderName((int)ida.Id, List.GroupNames, numeric)));
        });
    }
}
