using ManagedRsync.FileList;

namespace ManagedRsync.Roles.Sender;

// -X on the sending side: the lists go with the file list (FileListWriter), the long values the generator asks for
// go with the entry's index and attributes (sender.c: send_files, recv_xattr_request and write_ndx_and_attrs).
internal sealed partial class SenderRole
{
    private XattrTable? _xattrs;

    private XattrTable? NewXattrTable() =>
        _xattrs ??= _options.Xattrs > 0 ? new XattrTable(_options.Xattrs, Xattrs.AmRoot(_options)) : null;

    // sender.c: send_files — the generator's request follows the index and attributes it read.
    private async ValueTask ReadXattrRequestAsync(FileEntry file, ItemChanges iflags, CancellationToken ct)
    {
        if (_xattrs is null || !XattrExchange.Follows(_options, _conn.Parameters, iflags))
            return;
        await _xattrs.ReadRequestAsync(_conn.In, file.XattrIndex, () => file.DisplayName, ct).ConfigureAwait(false);
    }

    // sender.c: write_ndx_and_attrs — the values asked for, read again from the file.
    private void WriteXattrValues(FileEntry file, ItemChanges iflags)
    {
        if (_xattrs is null || !XattrExchange.Follows(_options, _conn.Parameters, iflags))
            return;
        _xattrs.WriteValues(_conn.Out, file.XattrIndex, name => _builder!.RereadXattr(file, name));
    }
}
