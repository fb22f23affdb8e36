using ManagedRsync.Platform;

namespace ManagedRsync.FileList;

// -X on the sending side (flist.c: send_file_name calls get_xattr for every entry it lists).
internal sealed partial class FileListBuilder
{
    // The directory of the "DIR/" argument being listed (its entries' full names, FullName).
    private string? _dotDirectory;

    // The directory stock's sender would be in while it lists the current argument or directory (flist.c:
    // change_pathname: an argument's own directory without -R, the "/./" anchor with it; a later list's F_PATHNAME),
    // as this process reaches it; null: the working directory.
    private string? _workingDirectory;

    /// <summary>-X: the sender's xattr filter rules, when it has any (exclude.c: saw_xattr_filter).</summary>
    public Func<byte[], bool>? XattrExcluded { get; init; }

    /// <summary>
    /// -X with per-directory merge files: the xattr rules in effect where the entry (its name in the list) is listed,
    /// null while none has been seen (the namespaces decide); when set it replaces <see cref="XattrExcluded"/>.
    /// </summary>
    public Func<byte[], Func<byte[], bool>?>? XattrRulesAt { get; init; }

    /// <summary>
    /// xattrs.c: get_xattr — a regular file's or directory's xattrs through a descriptor opened without following a
    /// symlink (beneath a module's root when confined; O_PATH with the calls on /proc/self/fd/N where it cannot be
    /// opened for reading, so that what fails is the read, as stock's by name); a symlink's only with -l, a device's
    /// with --devices, a special's with --specials, read by its path without following it (no descriptor of a symlink
    /// can read xattrs), and not at all inside a confined module (see protocol-notes: only root can give those any). A
    /// fake-super entry is what its file really is. Null when they cannot be read (reported): flist.c: send_file_name
    /// leaves the entry out.
    /// </summary>
    private XattrItem[]? ReadXattrs(string path, FileEntry entry)
    {
        int level = _options.Xattrs;
        int amRoot = Xattrs.AmRoot(_options);
        int type = entry.Mode & FileEntry.S_IFMT;
        bool wanted = type switch
        {
            FileEntry.S_IFREG or FileEntry.S_IFDIR => true,
            FileEntry.S_IFLNK => _options.Links,
            FileEntry.S_IFCHR or FileEntry.S_IFBLK => _options.Devices,
            FileEntry.S_IFIFO or FileEntry.S_IFSOCK => _options.Specials,
            _ => false,
        };
        if (!wanted)
            return [];
        int err;
        XattrItem[] items;
        string call;
        Func<byte[], bool>? excluded = XattrRulesAt is { } at ? at(entry.Name) : XattrExcluded;
        if (type is FileEntry.S_IFREG or FileEntry.S_IFDIR || _options.FakeSuper)
        {
            bool pathOnly = false;
            int fd = OpenNoFollow(path, type == FileEntry.S_IFDIR ? Interop.O_DIRECTORY : 0);
            if (fd < 0 && type is FileEntry.S_IFREG or FileEntry.S_IFDIR)
            {
                pathOnly = true;
                fd = OpenPathOnly(path);
            }
            if (fd >= 0)
            {
                using var handle = new DescriptorHandle(fd);
                err = Xattrs.Read(XattrTarget.Held(handle.Fd, pathOnly), sender: true, level, amRoot, excluded, out items, out call);
                return err == 0 ? items : Failed(call, path, err);
            }
            if (type is FileEntry.S_IFREG or FileEntry.S_IFDIR)
                return Failed(Xattrs.ListCall, path, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        if (Confinement is not null)
            return [];
        err = Xattrs.Read(XattrTarget.OwnPath(path), sender: true, level, amRoot, excluded, out items, out call);
        return err == 0 ? items : Failed(call, path, err);
    }

    // xattrs.c: rsyserr(FERROR_XFER, ...) with full_fname, and io_error |= IOERR_GENERAL; null: the entry is not listed.
    private XattrItem[]? Failed(string call, string path, int errno)
    {
        IoError |= IoErrorGeneral;
        _warn($"rsync: [sender] {string.Format(System.Globalization.CultureInfo.InvariantCulture, call, FullName(path))} failed: {ErrnoText(errno)} ({errno})");
        return null;
    }

    // util1.c: full_fname — a module's names as its daemon says them (BeneathRoot.Quote: from the directory stock's
    // sender is in for the argument); otherwise the name with the sender's working directory before it when relative
    // (a leading "./" of a -R name is not stock's: it names "src/x", not "./src/x"). Stock's sender works in the
    // directory of each argument, so the entries a "DIR/" argument's send_directory(".") lists are named "./NAME"
    // there: "/CWD/DIR/./NAME"; deeper ones are listed from their directory's own name ("/CWD/DIR/sub/NAME").
    // <paramref name="cleaned"/>: a message of flist.c make_file, which names thisname after clean_fname has taken
    // the "./" off ("/CWD/DIR/NAME": readlink_stat, "symlink has no referent", "file has vanished").
    private string FullName(string path, bool cleaned = false)
    {
        if (Confinement?.Relative(path) is { } inModule)
            return Confinement.Quote(inModule, _workingDirectory is { } w && Confinement.Relative(w) is { } within ? within : ".");
        string shown = path;
        if (_dotDirectory is { } dot && !cleaned)
        {
            if (path == dot)
                shown = dot + "/.";
            else if (path.StartsWith(dot + "/", StringComparison.Ordinal) && path.IndexOf('/', dot.Length + 1) < 0)
                shown = dot + "/./" + path[(dot.Length + 1)..];
        }
        while (shown.StartsWith("./", StringComparison.Ordinal))
            shown = shown[2..].TrimStart('/');
        if (!shown.StartsWith('/'))
            shown = Environment.CurrentDirectory.TrimEnd('/') + "/" + shown;
        return $"\"{FileNameEncoding.Display(shown)}\"";
    }

    /// <summary>
    /// xattrs.c: send_xattr_request — a long value the generator asked for, read again from the file (null, after the
    /// error, when it cannot be: the sender sends it as empty).
    /// </summary>
    public byte[]? RereadXattr(FileEntry entry, byte[] name)
    {
        string path = entry.LocalPath ?? "";
        int type = entry.Mode & FileEntry.S_IFMT;
        int err;
        byte[] value = [];
        int fd = type is FileEntry.S_IFREG or FileEntry.S_IFDIR || _options.FakeSuper
            ? OpenNoFollow(path, type == FileEntry.S_IFDIR ? Interop.O_DIRECTORY : 0) : -1;
        if (fd >= 0)
        {
            using var handle = new DescriptorHandle(fd);
            err = XattrIo.Get(XattrTarget.Descriptor(handle.Fd), name, out value);
        }
        else
        {
            err = Confinement is null ? XattrIo.Get(XattrTarget.OwnPath(path), name, out value) : Interop.ENOENT;
        }
        if (err == 0)
            return value;
        IoError |= IoErrorGeneral;
        _warn($"rsync: [sender] get_xattr_data: lgetxattr({FileNameEncoding.Display(path)},\"{FileNameEncoding.Display(name)}\",0) failed: {ErrnoText(err)} ({err})");
        _warn($"failed to re-read xattr {FileNameEncoding.Display(name)} for {FileNameEncoding.Display(path)}");
        return null;
    }
}
