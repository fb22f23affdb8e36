using ManagedRsync.Destination;
using ManagedRsync.FileList;

namespace ManagedRsync.Roles.Generator;

// -X in the generator (generator.c: itemize — xattr_diff and send_xattr_request): the 'x' of an entry whose xattrs
// differ from those of what it is compared with, and the request for the long values it lacks, which follows the
// entry's index and attributes.
internal sealed partial class GeneratorRole
{
    // Where an entry's xattrs are compared from when not its own name in the destination (a --compare-dest or
    // --copy-dest basis; generator.c: itemize reads fnamecmp's).
    private (ConfinedDirectory Directory, string Name)? _xattrsFrom;

    // The basis directories' best match for a directory the generator makes (try_dests_non's statret 1).
    private (ConfinedDirectory Directory, string Name)? _xattrsBasis;

    /// <summary>
    /// generator.c: recv_generator — a directory made after a match in the basis directories gets that match's xattrs
    /// (gen_entry_copy_xattrs, statret 1) and is itemized against it; the sender's follow if they differ.
    /// </summary>
    private void SettleDirectory(int ndx, FileEntry file, ItemChanges iflags, string name, bool madeFromBasis, bool quiet)
    {
        if (run.Xattrs is null || _xattrsBasis is not { } basis)
        {
            if (!quiet)
                Settle(ndx, file, iflags);
            return;
        }
        if (madeFromBasis)
        {
            basis.Directory.WithHeld(basis.Name, from =>
                Destination!.WithHeld(name, to => CopyXattrs(from, to)));
        }
        if (!quiet)
            SettleFrom(basis.Directory, basis.Name, () => Settle(ndx, file, iflags));
    }

    /// <summary>
    /// generator.c: itemize — ITEM_REPORT_XATTR when the entry's list differs from the local one (a new entry: when the
    /// sender listed anything), every long value missing here marked to be asked for.
    /// </summary>
    private ItemChanges WithXattrs(int ndx, FileEntry file, ItemChanges iflags, ConfinedDirectory? directory = null, string? name = null)
    {
        if (run.Xattrs is not { } table)
            return iflags;
        XattrItem[]? local = null;
        if ((iflags & ItemChanges.IsNew) == 0)
        {
            (ConfinedDirectory? dir, string at) = _xattrsFrom is { } from ? (from.Directory, from.Name)
                : (directory ?? Destination, name ?? NameOf(ndx));
            local = dir is null ? [] : run.LocalXattrs(dir, at);
        }
        return table.Differs(file.XattrIndex, local, findAll: true) ? iflags | ItemChanges.Xattr : iflags;
    }

    /// <summary>
    /// generator.c: itemize — after the index and attributes of an entry with ITEM_REPORT_XATTR (or a transfer), with
    /// transfers on: the numbers of the long values to send (not for a hard link's follower under the optimisation,
    /// nor for a transfer whose xattrs matched: those only settle the marks).
    /// </summary>
    private void WriteXattrRequest(FileEntry file, ItemChanges iflags)
    {
        if (run.Xattrs is not { } table || !Options.Transfers || (iflags & (ItemChanges.Xattr | ItemChanges.Transfer)) == 0)
            return;
        bool send = (iflags & ItemChanges.Xattr) != 0 && !XattrExchange.IsOptimisedLink(run.Connection.Parameters, iflags);
        table.WriteRequest(send ? run.Connection.Out : null, file.XattrIndex);
    }

    // generator.c: itemize against a basis directory's entry reads that entry's xattrs (fnamecmp).
    private void SettleFrom(ConfinedDirectory directory, string name, Action settle)
    {
        _xattrsFrom = (directory, name);
        try
        {
            settle();
        }
        finally
        {
            _xattrsFrom = null;
        }
    }

    // generator.c: unchanged_attrs — xattrs_differ: a basis whose xattrs differ is no exact match.
    private bool XattrsDiffer(FileEntry file, ConfinedDirectory? directory, string name) =>
        run.Xattrs is { } table && directory is not null
        && table.Differs(file.XattrIndex, run.LocalXattrs(directory, name), findAll: false);

    // xattrs.c: copy_xattrs — every name a receiving side lists (user.* only without root, never system.*).
    private void CopyXattrs(Microsoft.Win32.SafeHandles.SafeFileHandle source, Microsoft.Win32.SafeHandles.SafeFileHandle target) =>
        CopyXattrs((int)source.DangerousGetHandle(), (int)target.DangerousGetHandle());

    private void CopyXattrs(int from, int to)
    {
        int amRoot = run.Xattrs!.AmRoot;
        if (Platform.XattrIo.ListNames(Platform.XattrTarget.Descriptor(from), out List<byte[]> names) != 0)
            return;
        Func<byte[], bool>? excluded = run.Xattrs.Excluded;
        foreach (byte[] name in names)
        {
            // copy_xattrs: the filter rules, else user.* only without root and never system.*.
            bool userOnly = amRoot <= 0;
            if (excluded is not null ? excluded(name)
                : userOnly ? !name.AsSpan().StartsWith(FileList.Xattrs.UserPrefix) : name.AsSpan().StartsWith(FileList.Xattrs.SystemPrefix))
                continue;
            if (Platform.XattrIo.Get(Platform.XattrTarget.Descriptor(from), name, out byte[] value) == 0)
                Platform.XattrIo.Set(Platform.XattrTarget.Descriptor(to), name, value);
        }
    }
}
