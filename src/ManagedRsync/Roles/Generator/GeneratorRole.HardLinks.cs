using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Generator;

// -H on the receiving side, as stock's generator does it (rsync hlink.c: match_gnums, hard_link_check,
// finish_hard_link, maybe_hard_link; generator.c: recv_generator). Each group is in file-list order. A member whose
// earlier member is done is linked to the group's leader at once; one whose earlier member is being transferred waits
// for it; otherwise the member is generated as any file, except that a missing regular file that is not the group's
// last member is put off (generator.c: "statret != 0 && F_HLINK_NOT_LAST": in_progress++), so that a fresh copy
// transfers the LAST name of the group and links the others to it. The member that gets done first (up to date, made
// by the generator, or received) becomes the leader, and every member put off or waiting is linked to it, latest
// first (finish_hard_link walks F_HL_PREV from the leader back), each itemized "hf ... NAME => LEADER" with the
// leader's name as the xname (ITEM_LOCAL_CHANGE | ITEM_XNAME_FOLLOWS). A transferred leader is done when the receiver
// says so (ReceiverMessages.HardLinkDone), which the generator reads after its walk, so those lines come after the
// walk's, as stock prints them; in a dry run the request itself finishes the group (generator.c: "if (!do_xfers)"),
// so the lines follow the leader's.
internal sealed partial class GeneratorRole
{
    private enum LinkState : byte
    {
        NotReached,
        PutOff,
        Requested,
        Waiting,
        Done,

        /// <summary>hlink.c: FLAG_SKIP_HLINK — a rule left it alone (-u, --existing, --ignore-existing, --append).</summary>
        Skipped,
    }

    /// <summary>Per group member: where it stands, and the leader it was linked to (itself when it is the leader).</summary>
    private Dictionary<int, (LinkState State, int Leader)>? _links;

    private LinkState StateOf(int ndx) => _links is not null && _links.TryGetValue(ndx, out var s) ? s.State : LinkState.NotReached;

    private void SetState(int ndx, LinkState state, int leader = -1) => (_links ??= [])[ndx] = (state, leader);

    /// <summary>
    /// rsync hlink.c: hard_link_check for a member that is not its group's first — true when it is settled here
    /// (linked to a done leader, or waiting for one being transferred), false when it is to be generated itself.
    /// </summary>
    private bool IsLinkedOrWaiting(int ndx)
    {
        if (run.HardLinkGroup(ndx) is not { } group)
            return false;
        // hlink.c: check_prior — the nearest earlier member not skipped; with none the member is its group's first.
        int prior = PriorMember(group, ndx);
        (_hlPrev ??= [])[ndx] = prior;
        if (prior < 0)
            return false;
        switch (StateOf(prior))
        {
            case LinkState.Done:
                LinkToLeader(ndx, _links![prior].Leader);
                return true;
            case LinkState.Requested or LinkState.Waiting:
                // hard_link_check: it joins the chain right after the member it waits for.
                _hlPrev[ndx] = _hlPrev.GetValueOrDefault(prior, -1);
                _hlPrev[prior] = ndx;
                SetState(ndx, LinkState.Waiting);
                // generator.c: cur_flist->in_progress++ — its part is not done while it waits.
                _parts?.Requested(ndx);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// generator.c: a missing regular file of a group that is not its last member is put off. The last is the last in
    /// the list, or the member a skipped last one handed the role to (hlink.c: skip_hard_link moves FLAG_HLINK_LAST).
    /// </summary>
    private bool PutOffHardLink(int ndx)
    {
        if (run.HardLinkGroup(ndx) is not { } group || IsLastMember(group, ndx))
            return false;
        SetState(ndx, LinkState.PutOff);
        _parts?.Requested(ndx);
        return true;
    }

    private bool IsLastMember(int[] group, int ndx)
    {
        for (int i = Array.IndexOf(group, ndx) + 1; i < group.Length; i++)
        {
            if (StateOf(group[i]) != LinkState.Skipped)
                return false;
        }
        return true;
    }

    private int PriorMember(int[] group, int ndx)
    {
        for (int i = Array.IndexOf(group, ndx) - 1; i >= 0; i--)
        {
            if (StateOf(group[i]) != LinkState.Skipped)
                return group[i];
        }
        return -1;
    }

    /// <summary>
    /// generator.c: handle_skipped_hlink, hlink.c: skip_hard_link — a member a rule leaves alone is no leader and no
    /// prior for the others. When it was the group's last, the nearest earlier member still put off (not done, not
    /// being transferred) becomes the last and is generated again now, so that it is transferred and the members
    /// put off are linked to it. Its line then comes where this member's would have.
    /// </summary>
    private void SkipHardLink(int ndx)
    {
        if (run.HardLinkGroup(ndx) is not { } group)
            return;
        SetState(ndx, LinkState.Skipped);
        if (!IsLastMember(group, ndx))
            return;
        int prior = PriorMember(group, ndx);
        if (prior < 0 || StateOf(prior) is LinkState.Done or LinkState.Requested or LinkState.Waiting)
            return;
        // The walk counted it the first time, and its part holds it (put off) until it is generated again.
        run.Stats.NumRegular--;
        _parts?.Settled(prior);
        run.Order?.Redirect(prior, ndx);
        GenerateOne(prior);
    }

    private void MarkRequested(int ndx)
    {
        if (run.HardLinkGroup(ndx) is not null)
            SetState(ndx, LinkState.Requested);
    }

    /// <summary>
    /// hlink.c: F_HL_PREV — each member's link back to the member before it (the nearest one not skipped, set when it
    /// is checked); a member that waits for another is put right after it in that chain.
    /// </summary>
    private Dictionary<int, int>? _hlPrev;

    /// <summary>With incremental recursion, each done leader's local name (hlink.c: prior_hlinks' node data).</summary>
    private Dictionary<int, string>? _leaderNames;

    /// <summary>
    /// rsync hlink.c: finish_hard_link — <paramref name="leader"/> is in place: the members put off or waiting for it
    /// are linked to it in the order of the chain back from it (the members put off latest first, one waiting right
    /// after the member it waited for).
    /// </summary>
    private void FinishHardLinkGroup(int leader)
    {
        if (run.HardLinkGroup(leader) is null)
            return;
        SetState(leader, LinkState.Done, leader);
        // hlink.c: finish_hard_link keeps the leader's name for members in later parts (prior_hlinks), which may come
        // after the leader's part is dropped.
        if (_parts is not null)
            (_leaderNames ??= [])[leader] = NameOf(leader);
        var seen = new HashSet<int> { leader };
        for (int member = _hlPrev?.GetValueOrDefault(leader, -1) ?? -1; member >= 0 && seen.Add(member);
             member = _hlPrev!.GetValueOrDefault(member, -1))
        {
            if (StateOf(member) is LinkState.PutOff or LinkState.Waiting)
                LinkToLeader(member, leader);
        }
    }

    /// <summary>
    /// With incremental recursion, a group member the receiver settled without having put it in place (its transfer
    /// failed: no <see cref="FinishHardLinkGroup"/> came first): the members put off or waiting for it are let go
    /// unlinked, so that their parts can end (stock's generator.c: handle_skipped_hlink after MSG_NO_SEND may instead
    /// generate one of them again; mrsync leaves them, as a failed transfer already makes the run partial).
    /// </summary>
    private void AbandonHardLinkGroup(int ndx)
    {
        if (StateOf(ndx) != LinkState.Requested || run.HardLinkGroup(ndx) is null)
            return;
        SetState(ndx, LinkState.Skipped);
        var seen = new HashSet<int> { ndx };
        for (int member = _hlPrev?.GetValueOrDefault(ndx, -1) ?? -1; member >= 0 && seen.Add(member);
             member = _hlPrev!.GetValueOrDefault(member, -1))
        {
            if (StateOf(member) is LinkState.PutOff or LinkState.Waiting)
            {
                _parts?.Settled(member);
                SetState(member, LinkState.Skipped);
            }
        }
    }

    /// <summary>
    /// rsync hlink.c: maybe_hard_link — a name already linked to the leader is itemized without a name; otherwise
    /// whatever is there is replaced by a link to the leader (atomic_create), itemized with the leader's name.
    /// </summary>
    private void LinkToLeader(int ndx, int leader)
    {
        // hlink.c: finish_hard_link — flist->in_progress-- for a member that was put off or waited.
        if (StateOf(ndx) is LinkState.PutOff or LinkState.Waiting)
            _parts?.Settled(ndx);
        SetState(ndx, LinkState.Done, leader);
        FileEntry file = Files[ndx];
        string name = NameOf(ndx);
        string leaderName = _leaderNames?.GetValueOrDefault(leader) ?? NameOf(leader);
        try
        {
            EntryStatus? local = StatLocal(name);
            EntryStatus? target = Destination?.Stat(leaderName);
            if (local is { } st && target is { } t && st.Inode == t.Inode && st.Device == t.Device)
            {
                Settle(ndx, file, ItemizeAgainst(file, local, ItemChanges.LocalChange | ItemChanges.OtherNameFollows), xname: []);
                // hlink.c: maybe_hard_link — "NAME is uptodate" at info=name2 without %i (maybe_ATTRS_REPORT).
                ReportUpToDateLink(name);
                ConfirmToSender(ndx, alsoForSentFiles: false);
                return;
            }
            if (!Options.DryRun)
            {
                if (local is not null)
                    Destination!.Delete(name);
                Destination!.CreateHardLink(name, leaderName);
            }
            if (local is null)
                CountCreated(file);
            EntryStatus? was = local is { IsRegularFile: true } ? local : null;
            Settle(ndx, file, ItemizeAgainst(file, was, ItemChanges.LocalChange | ItemChanges.OtherNameFollows),
                xname: FileNameEncoding.Encode(leaderName));
            // hlink.c: hard_link_one's caller logs "NAME => LEADER" with the generator's code (LogMade).
            LogMade($"{FileNameEncoding.Display(name)} => {FileNameEncoding.Display(leaderName)}");
            // hlink.c: hard_link_check and finish_hard_link — a member linked (or found linked) may go from the sender.
            ConfirmToSender(ndx, alsoForSentFiles: false);
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            run.ReportFailure(e.Message);
        }
    }
}
