using System.Buffers;
using ManagedRsync.Protocol;

namespace ManagedRsync.FileList;

/// <summary>
/// One side's lists of extended attributes, numbered as they went over the wire (rsync xattrs.c: rsync_xal_l). A
/// sender sends a list once and names it by its index after (find_matching_xattr, send_xattr); a receiving side keeps
/// every literal list it read in the same order (receive_xattr), so an index means the same list on both sides.
/// Beside each list: the state of its long values as the sender or the generator sees them (XSTATE_ABBREV, _TODO,
/// _DONE), and the long values a receiver was sent. A receiving side's list reader, generator and receiver share one
/// table from their threads, so every access takes the lock.
/// </summary>
internal sealed class XattrTable
{
    private const byte Abbrev = 1, Done = 2, Todo = 3;

    private readonly object _gate = new();
    private readonly List<XattrItem[]> _lists = [];
    private readonly List<byte[]> _states = [];
    private readonly List<byte[]?[]> _fetched = [];
    private readonly Dictionary<string, int> _byKey = new(StringComparer.Ordinal);

    public XattrTable(int level, int amRoot)
    {
        Level = level;
        AmRoot = amRoot;
    }

    /// <summary>preserve_xattrs: 1 for -X, 2 for -XX.</summary>
    public int Level { get; }

    /// <summary>am_root of this side (see <see cref="Xattrs.AmRoot"/>).</summary>
    public int AmRoot { get; }

    /// <summary>The xattr filter rules of this side, when there are any (exclude.c: saw_xattr_filter).</summary>
    public Func<byte[], bool>? Excluded { get; init; }

    public int Count
    {
        get { lock (_gate) return _lists.Count; }
    }

    public XattrItem[] List(int index)
    {
        lock (_gate)
            return index >= 0 && index < _lists.Count ? _lists[index] : [];
    }

    private int Store(XattrItem[] items)
    {
        _lists.Add(items);
        var states = new byte[items.Length];
        Array.Fill(states, Abbrev);
        _states.Add(states);
        _fetched.Add(new byte[items.Length][]);
        return _lists.Count - 1;
    }

    /// <summary>
    /// xattrs.c: send_xattr — the index of an identical list sent before, plus one, or 0 and the list itself.
    /// Returns the list's index (F_XATTR).
    /// </summary>
    public int Send(IBufferWriter<byte> w, XattrItem[] items)
    {
        lock (_gate)
        {
            string key = Xattrs.Key(items);
            if (_byKey.TryGetValue(key, out int known))
            {
                w.WriteVarInt(known + 1);
                return known;
            }
            w.WriteVarInt(0);
            Xattrs.WriteLiteral(w, items, AmRoot);
            int index = Store(items);
            _byKey[key] = index;
            return index;
        }
    }

    /// <summary>
    /// xattrs.c: receive_xattr — an index of a list read before, or a literal list, bounded before anything is kept:
    /// the count, each name's and value's length, the per-value and per-list totals, and a name ending in its NUL. Then
    /// what this side keeps of it: a non-root side only user.* (a fake-super one disguises the others under
    /// user.rsync.), the rsync.% names only with -XX. Returns the list's index.
    /// </summary>
    public async ValueTask<int> ReceiveAsync(MultiplexReader input, Func<string> fileName, CancellationToken ct)
    {
        int ndx = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
        lock (_gate)
        {
            if (ndx < 0 || ndx > _lists.Count)
                throw RsyncException.Protocol($"receive_xattr: xa index {ndx} out of range for {fileName()}");
            if (ndx != 0)
                return ndx - 1;
        }
        int count = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
        if (count < 0 || count > Xattrs.MaxWireCount)
            throw OutOfRange($"wire value xattr count out of range: {count} not in [0,{Xattrs.MaxWireCount}] [Receiver]");
        var items = new List<XattrItem>(Math.Min(count, 1024));
        long total = 0;
        bool needSort = false;
        for (int num = 1; num <= count; num++)
        {
            int nameLength = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (nameLength < 0 || nameLength > Xattrs.MaxWireNameLength)
                throw OutOfRange($"wire size xattr name_len out of range: {nameLength} > {Xattrs.MaxWireNameLength} [Receiver]");
            int datumLength = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (datumLength < 0)
                throw OutOfRange($"wire size xattr datum_len out of range: {datumLength} > {int.MaxValue} [Receiver]");
            if (datumLength > Xattrs.MaxValueBytes)
                throw OutOfRange("xattr datum_len exceeds per-value limit [Receiver]");
            total += nameLength + (long)datumLength;
            if (total > Xattrs.MaxListBytes)
                throw OutOfRange("xattr list exceeds per-file limit [Receiver]");
            byte[] name = new byte[nameLength];
            await input.ReadExactlyAsync(name, ct).ConfigureAwait(false);
            if (nameLength < 1 || name[^1] != 0)
                throw new RsyncException(RsyncErrorKind.FileIo, "Invalid xattr name received (missing trailing \\0).");
            name = name[..^1];
            XattrItem item;
            if (datumLength > Xattrs.MaxFullDatum)
            {
                byte[] sum = new byte[Xattrs.SumLength];
                await input.ReadExactlyAsync(sum, ct).ConfigureAwait(false);
                item = new XattrItem { Name = name, DatumLength = datumLength, Sum = sum, Num = num };
            }
            else
            {
                byte[] value = new byte[datumLength];
                await input.ReadExactlyAsync(value, ct).ConfigureAwait(false);
                item = new XattrItem { Name = name, DatumLength = datumLength, Value = value, Num = num };
            }
            if (Excluded is not null && Excluded(name))
                continue;
            // Non-root keeps only the user namespace (with xattr filter rules it disguises the others, as a
            // fake-super side does).
            if (AmRoot <= 0 && !name.AsSpan().StartsWith(Xattrs.UserPrefix))
            {
                if (AmRoot == 0 && Excluded is null)
                    continue;
                byte[] disguised = [.. Xattrs.RsyncPrefix, .. name];
                item = new XattrItem { Name = disguised, DatumLength = item.DatumLength, Sum = item.Sum, Value = item.Value, Num = num };
                needSort = true;
            }
            // No rsync.%FOO attributes are copied without -XX.
            if (Level < 2 && item.Name.Length > Xattrs.RsyncPrefix.Length && item.Name.AsSpan().StartsWith(Xattrs.RsyncPrefix)
                && item.Name[Xattrs.RsyncPrefix.Length] == (byte)'%')
                continue;
            items.Add(item);
        }
        if (needSort)
            items.Sort(Xattrs.CompareNames);
        lock (_gate)
            return Store([.. items]);
    }

    // io.c: read_varint_bounded / read_varint_size and the per-value limits end the run with RERR_PROTOCOL.
    private static RsyncException OutOfRange(string text) => new(RsyncErrorKind.ProtocolIncompatible, text);

    /// <summary>
    /// xattrs.c: xattr_diff — whether the entry's xattrs differ from <paramref name="local"/> (null: no entry there).
    /// With <paramref name="findAll"/> every long value the generator still lacks is marked to be asked for.
    /// </summary>
    public bool Differs(int index, XattrItem[]? local, bool findAll)
    {
        lock (_gate)
        {
            XattrItem[] snd = index >= 0 && index < _lists.Count ? _lists[index] : [];
            byte[] states = index >= 0 && index < _lists.Count ? _states[index] : [];
            XattrItem[] rec = local ?? [];
            bool equal = true;
            if (snd.Length != rec.Length)
            {
                if (!findAll)
                    return true;
                equal = false;
            }
            int s = 0, r = 0;
            while (s < snd.Length)
            {
                XattrItem si = snd[s];
                int cmp = r < rec.Length ? si.Name.AsSpan().SequenceCompareTo(rec[r].Name) : -1;
                bool same;
                if (cmp > 0)
                    same = false;
                else if (si.IsLong)
                {
                    same = cmp == 0 && si.DatumLength == rec[r].DatumLength && rec[r].Sum is { } rs && si.Sum.AsSpan().SequenceEqual(rs);
                    if (!same && findAll && states[s] == Abbrev)
                        states[s] = Todo;
                }
                else
                {
                    same = cmp == 0 && si.DatumLength == rec[r].DatumLength && rec[r].Value is { } rv && si.Value.AsSpan().SequenceEqual(rv);
                }
                if (!same)
                {
                    if (!findAll)
                        return true;
                    equal = false;
                }
                if (cmp <= 0)
                    s++;
                if (cmp >= 0)
                    r++;
            }
            if (r < rec.Length)
                equal = false;
            return !equal;
        }
    }

    /// <summary>
    /// xattrs.c: send_xattr_request with no file name (the generator): the long values marked to ask for, as the
    /// difference of each one's number from the one before, ended by a 0 byte; with no writer (the request is not
    /// sent) only the marks are settled. Either way a value left abbreviated matched, and counts as done.
    /// </summary>
    public void WriteRequest(IBufferWriter<byte>? w, int index)
    {
        lock (_gate)
        {
            if (index < 0 || index >= _lists.Count)
            {
                w?.WriteByte(0);
                return;
            }
            XattrItem[] items = _lists[index];
            byte[] states = _states[index];
            int prior = 0;
            for (int i = 0; i < items.Length; i++)
            {
                if (!items[i].IsLong)
                    continue;
                if (states[i] == Abbrev)
                {
                    states[i] = Done;
                    continue;
                }
                if (states[i] != Todo)
                    continue;
                states[i] = Done;
                if (w is null)
                    continue;
                w.WriteVarInt(items[i].Num - prior);
                prior = items[i].Num;
            }
            w?.WriteByte(0);
        }
    }

    /// <summary>
    /// xattrs.c: recv_xattr_request on a sender — the numbers the generator asks for, each one of a long value not
    /// asked for before (else RERR_PROTOCOL), marked to go with the entry's attributes.
    /// </summary>
    public async ValueTask ReadRequestAsync(MultiplexReader input, int index, Func<string> fileName, CancellationToken ct)
    {
        int num = 0;
        while (true)
        {
            int rel = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (rel == 0)
                return;
            num = Advance(num, rel, "sender");
            lock (_gate)
            {
                int at = Find(index, num, fileName, sender: true);
                _states[index][at] = Todo;
            }
        }
    }

    // rsync.c: who_am_i — the side a message names ("sender" or "receiver" once forked, "Receiver" before).
    private static int Advance(int num, int rel, string who)
    {
        if ((rel > 0 && num > int.MaxValue - rel) || (rel < 0 && num < int.MinValue - rel))
            throw OutOfRange($"xattr rel_pos accumulation overflow [{who}]");
        return num + rel;
    }

    // The item numbered NUM of a list, which must be a long value still abbreviated (recv_xattr_request's checks): on
    // a sender one not asked for before, on a receiver one not yet sent (a receiving side's generator keeps its own
    // marks in the same table).
    private int Find(int index, int num, Func<string> fileName, bool sender)
    {
        if (index < 0 || index >= _lists.Count)
            throw OutOfRange("recv_xattr_request: internal data error!");
        XattrItem[] items = _lists[index];
        string who = sender ? "sender" : "receiver";
        int at = Array.FindIndex(items, i => i.Num == num);
        if (at < 0)
            throw OutOfRange($"[{who}] could not find xattr #{num} for {fileName()}");
        if (!items[at].IsLong || (sender ? _states[index][at] != Abbrev : _fetched[index][at] is not null))
            throw OutOfRange($"[{who}] internal abbrev error on {fileName()} ({Display(items[at].Name)}, len={items[at].DatumLength})!");
        return at;
    }

    /// <summary>
    /// xattrs.c: send_xattr_request with a file name (the sender): each value marked, read again from the file (its
    /// length may have changed), as its number's difference, its length and its bytes; a value that cannot be read
    /// again goes as length 0 after the error. Ended by a 0 byte.
    /// </summary>
    public void WriteValues(IBufferWriter<byte> w, int index, Func<byte[], byte[]?> reread)
    {
        List<XattrItem> todo = [];
        lock (_gate)
        {
            if (index < 0 || index >= _lists.Count)
            {
                w.WriteByte(0);
                return;
            }
            XattrItem[] items = _lists[index];
            byte[] states = _states[index];
            for (int i = 0; i < items.Length; i++)
            {
                if (items[i].IsLong && states[i] == Todo)
                {
                    states[i] = Done;
                    todo.Add(items[i]);
                }
            }
        }
        int prior = 0;
        foreach (XattrItem item in todo)
        {
            w.WriteVarInt(item.Num - prior);
            prior = item.Num;
            byte[] value = reread(item.Name) ?? [];
            w.WriteVarInt(value.Length);
            w.Write(value);
        }
        w.WriteByte(0);
    }

    /// <summary>
    /// xattrs.c: recv_xattr_request on a receiver — the values the sender was asked for, each bounded
    /// (MAX_XATTR_VALUE_BYTES) and kept in place of its checksum.
    /// </summary>
    public async ValueTask ReadValuesAsync(MultiplexReader input, int index, Func<string> fileName, CancellationToken ct)
    {
        int num = 0;
        while (true)
        {
            int rel = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (rel == 0)
                return;
            num = Advance(num, rel, "receiver");
            int at;
            lock (_gate)
                at = Find(index, num, fileName, sender: false);
            int length = await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if (length < 0)
                throw OutOfRange($"wire size xattr datum_len out of range: {length} > {int.MaxValue} [receiver]");
            if (length > Xattrs.MaxValueBytes)
                throw OutOfRange("xattr datum_len exceeds per-value limit [receiver]");
            byte[] value = new byte[length];
            await input.ReadExactlyAsync(value, ct).ConfigureAwait(false);
            lock (_gate)
                _fetched[index][at] = value;
        }
    }

    /// <summary>
    /// The values a receiver sets for list <paramref name="index"/>: each short one, each long one it was sent, and
    /// for each long one it was not, null (the basis's value, if its checksum matches, is the one to keep).
    /// </summary>
    public (XattrItem Item, byte[]? Value)[] Wanted(int index)
    {
        lock (_gate)
        {
            if (index < 0 || index >= _lists.Count)
                return [];
            XattrItem[] items = _lists[index];
            var result = new (XattrItem, byte[]?)[items.Length];
            for (int i = 0; i < items.Length; i++)
                result[i] = (items[i], items[i].IsLong ? _fetched[index][i] : items[i].Value);
            return result;
        }
    }

    /// <summary>xattrs.c: rsync_xal_set keeps a basis's matching long value in the list for the entries after.</summary>
    public void Keep(int index, XattrItem item, byte[] value)
    {
        lock (_gate)
        {
            int at = Array.IndexOf(_lists[index], item);
            if (at >= 0)
                _fetched[index][at] ??= value;
        }
    }

    public static string Display(byte[] name) => Platform.FileNameEncoding.Display(name);
}
