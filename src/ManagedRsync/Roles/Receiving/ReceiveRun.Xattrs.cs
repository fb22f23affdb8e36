using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Receiving;

// -X on the receiving side: the lists the file list brought (FileListReader), the local entry's xattrs the generator
// compares them with (generator.c: itemize, xattr_diff), and the receiver's setting of them (xattrs.c: set_xattr,
// rsync_xal_set), each through a descriptor held on the entry.
internal sealed partial class ReceiveRun
{
    private XattrTable? _xattrs;

    /// <summary>The receiving side's xattr lists (null without -X).</summary>
    public XattrTable? Xattrs => _xattrs ??= Options.Xattrs > 0
        ? new XattrTable(Options.Xattrs, FileList.Xattrs.AmRoot(Options))
        {
            Excluded = global::ManagedRsync.Filters.FilterList.XattrExclusion(Target.ModuleXattrRules, Filters, sender: false),
        }
        : null;

    /// <summary>
    /// generator.c: itemize's get_xattr(fnamecmp) — the xattrs of the regular file or directory at
    /// <paramref name="name"/> in <paramref name="directory"/> that this side lists; none for anything else (Linux
    /// keeps no user xattrs on symlinks, devices or specials).
    /// </summary>
    public XattrItem[] LocalXattrs(ConfinedDirectory directory, string name)
    {
        XattrItem[] items = [];
        int err = 0;
        string call = "";
        directory.WithHeld(name, fd => err = FileList.Xattrs.Read(XattrTarget.Descriptor(fd), sender: false, Options.Xattrs, Xattrs!.AmRoot, Xattrs.Excluded, out items, out call));
        if (err != 0)
            ReportFailure($"rsync: [generator] {string.Format(System.Globalization.CultureInfo.InvariantCulture, call, XattrFullName(name))} failed: {Marshal.GetPInvokeErrorMessage(err)} ({err})");
        return items;
    }

    /// <summary>
    /// xattrs.c: rsync_xal_set — the entry's list onto the descriptor <paramref name="fd"/> of <paramref name="name"/>:
    /// every value it has (a long one the sender did not send is the basis's, if its length and checksum match, else
    /// "Missing abbreviated xattr value"), then every listed name on the file the sender did not list goes.
    /// Without root a file without write permission gets it for the while (xattrs.c: set_xattr).
    /// </summary>
    /// <param name="fd">The entry (a new file's temporary file, or the entry itself).</param>
    /// <param name="file">Its file-list entry.</param>
    /// <param name="name">Its name, for messages.</param>
    /// <param name="basisValue">A long value of the basis by name; null when the basis is the target itself.</param>
    public void ApplyXattrs(int fd, FileEntry file, string name, Func<byte[], byte[]?>? basisValue)
    {
        if (Xattrs is not { } table || file.XattrIndex < 0 || Options.DryRun)
            return;
        int amRoot = table.AmRoot;
        int listed = XattrIo.ListNames(XattrTarget.Descriptor(fd), out List<byte[]> present);
        uint? restoreMode = null;
        if (amRoot == 0 && StatMode(fd) is { } mode && (mode & 0x80) == 0 && Interop.FChmod(fd, (mode & 0xFFF) | 0x80) == 0)
            restoreMode = mode & 0xFFF;
        try
        {
            var wanted = table.Wanted(file.XattrIndex);
            foreach ((XattrItem item, byte[]? known) in wanted)
            {
                byte[]? value = known;
                if (value is null)
                {
                    // The basis is the file itself: its value is already there when it matches.
                    byte[]? basis = basisValue is null ? CurrentValue(fd, item.Name) : basisValue(item.Name);
                    if (basis is null || basis.Length != item.DatumLength || !MD5.HashData(basis).AsSpan().SequenceEqual(item.Sum))
                    {
                        ReportError($"Missing abbreviated xattr value, {XattrTable.Display(item.Name)}, for {XattrFullName(name)}");
                        continue;
                    }
                    table.Keep(file.XattrIndex, item, basis);
                    if (basisValue is null)
                        continue;
                    value = basis;
                }
                if (XattrIo.Set(XattrTarget.Descriptor(fd), item.Name, value) is not 0 and int errno)
                    ReportFailure($"rsync: [receiver] rsync_xal_set: fsetxattr({XattrFullName(name)},\"{XattrTable.Display(item.Name)}\") failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            }
            if (listed != 0)
                return;
            foreach (byte[] had in present)
            {
                if (!FileList.Xattrs.Removable(had, amRoot, table.Excluded))
                    continue;
                if (wanted.Any(w => w.Item.Name.AsSpan().SequenceEqual(had)))
                    continue;
                if (XattrIo.Remove(XattrTarget.Descriptor(fd), had) is not 0 and int errno)
                    ReportFailure($"rsync: [receiver] rsync_xal_set: fremovexattr({XattrFullName(name)},\"{XattrTable.Display(had)}\") failed: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            }
        }
        finally
        {
            if (restoreMode is { } back)
                Interop.FChmod(fd, back);
        }
    }

    /// <summary>
    /// receiver.c: recv_files — a non-transfer with ITEM_REPORT_XATTR gets set_file_attrs(fname, file, NULL, fname, 0):
    /// the entry's own xattrs are set, then with -A its access ACL is compared and written again, now against the mode
    /// the generator's set_file_attrs left (acls.c: change_sacl_perms sees no set-id bit going off any more, so a
    /// group entry its guard left without access gets the mode's group bits back). The owner, time and mode it sets
    /// again are already the generator's. A directory's comes in <c>GeneratorRole.FinishDirectories</c>, which sets
    /// its attributes after this.
    /// </summary>
    public void SetAttributesInPlace(FileEntry file, string name)
    {
        if (Destination is not { } dest)
            return;
        dest.WithHeld(name, fd => ApplyXattrs(fd, file, name, basisValue: null));
        // Under fake super the ACLs are kept as received, whatever the mode (set_rsync_acl with am_root < 0).
        if (file.IsDirectory || dest.FakeSuper || WantedAcls(file) is not { } acls)
            return;
        try
        {
            dest.SetAttributes(name, new EntryAttributes { Acls = acls });
        }
        catch (RsyncException e) when (e.IsLocalFileFailure)
        {
            ReportFailure(e.Message);
        }
    }

    private static byte[]? CurrentValue(int fd, byte[] name) => XattrIo.Get(XattrTarget.Descriptor(fd), name, out byte[] value) == 0 ? value : null;

    private static unsafe uint? StatMode(int fd)
    {
        Interop.Statx buffer;
        return Interop.StatxAt(fd, "", Interop.AT_EMPTY_PATH | Interop.AT_SYMLINK_NOFOLLOW, Interop.STATX_BASIC_STATS, &buffer) == 0 ? buffer.Mode : null;
    }

    /// <summary>util1.c: full_fname — as a message quotes a name: a daemon's from its module's root with "(in MODULE)".</summary>
    public string QuotedFullName(string name) => XattrFullName(name);

    private string XattrFullName(string name)
    {
        if (Target.ModuleName is not { } module)
            return $"\"{FileNameEncoding.Display(Path.GetFullPath(Destination?.RootPath ?? ".").TrimEnd('/') + "/" + name)}\"";
        string within = (Target.DisplayDestination ?? ".").Trim('/');
        return BeneathRoot.Quote(module, Target.ModuleSlashAtTop, within is "." or "" ? name : within + "/" + name, within);
    }
}
