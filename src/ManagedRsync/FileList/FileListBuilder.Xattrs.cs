using ManagedRsync.Platform;

namespace ManagedRsync.FileList;

// -X on the sending side (flist.c: send_file_name calls get_xattr for every entry it lists).
internal sealed partial class FileListBuilder
{
    /// <summary>-X: the sender's xattr filter rules, when it has any (exclude.c: saw_xattr_filter).</summary>
    public Func<byte[], bool>? XattrExcluded { get; init; }

    /// <summary>
    /// xattrs.c: get_xattr — a regular file's or directory's xattrs through a descriptor opened without following a
    /// symlink (beneath a module's root when confined); a symlink's only with -l, a device's with --devices, a
    /// special's with --specials, read by its path without following it (no descriptor of a symlink can read xattrs),
    /// and not at all inside a confined module (see protocol-notes: only root can give those any). A fake-super entry
    /// is what its file really is.
    /// </summary>
    private XattrItem[] ReadXattrs(string path, FileEntry entry)
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
        if (type is FileEntry.S_IFREG or FileEntry.S_IFDIR || _options.FakeSuper)
        {
            int fd = OpenNoFollow(path, type == FileEntry.S_IFDIR ? Interop.O_DIRECTORY : 0);
            if (fd >= 0)
            {
                using var handle = new DescriptorHandle(fd);
                err = Xattrs.Read(handle.Fd, null, sender: true, level, amRoot, XattrExcluded, out items, out call);
                return err == 0 ? items : Failed(call, path, err);
            }
            if (type is FileEntry.S_IFREG or FileEntry.S_IFDIR)
                return Failed("get_xattr_names: open", path, System.Runtime.InteropServices.Marshal.GetLastPInvokeError());
        }
        if (Confinement is not null)
            return [];
        err = Xattrs.Read(-1, path, sender: true, level, amRoot, XattrExcluded, out items, out call);
        return err == 0 ? items : Failed(call, path, err);
    }

    // xattrs.c: rsyserr(FERROR_XFER, ...) and io_error |= IOERR_GENERAL; the entry goes without xattrs.
    private XattrItem[] Failed(string call, string path, int errno)
    {
        IoError |= IoErrorGeneral;
        _warn($"rsync: [sender] {call}({FileNameEncoding.Display(path)}) failed: {ErrnoText(errno)} ({errno})");
        return [];
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
            err = XattrIo.GetValue(handle.Fd, null, name, out value);
        }
        else
        {
            err = Confinement is null ? XattrIo.GetValue(-1, path, name, out value) : Interop.ENOENT;
        }
        if (err == 0)
            return value;
        IoError |= IoErrorGeneral;
        _warn($"rsync: [sender] get_xattr_data: lgetxattr({FileNameEncoding.Display(path)},\"{FileNameEncoding.Display(name)}\",0) failed: {ErrnoText(err)} ({err})");
        _warn($"failed to re-read xattr {FileNameEncoding.Display(name)} for {FileNameEncoding.Display(path)}");
        return null;
    }
}
