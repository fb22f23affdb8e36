using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Watch;

/// <summary>
/// The pending changes of one replica, on disk, so a crash or restart loses nothing. Append-only and fsync'd once per
/// batch; rewritten (temp file, fsync, rename, fsync of the directory) when a push succeeds. Layout: the magic
/// "MRSJ1\n", then records <c>u32 length | u32 crc32(payload) | payload</c> with payload <c>op byte | raw path bytes</c>,
/// op one of S (send), T (send tree), D (delete), F (full sync, no path). Loading replays the records in order and
/// stops at the first torn or corrupt one (a crash mid-append), truncating it away.
/// </summary>
public sealed class ChangeJournal : IDisposable
{
    private static ReadOnlySpan<byte> Magic => "MRSJ1\n"u8;
    private const byte FullOp = (byte)'F';
    private const int MaxRecord = 64 * 1024;

    private readonly string _path;
    private readonly ArrayBufferWriter<byte> _records = new();
    private FileStream _stream;

    /// <summary>Opens (or creates) the journal at <paramref name="path"/>.</summary>
    public ChangeJournal(string path)
    {
        _path = path;
        _stream = OpenForAppend(path);
    }

    /// <summary>Bytes on disk; the owner rewrites the journal when it grows.</summary>
    public long Length => _stream.Length;

    /// <summary>Replays the journal into a pending set. Returns whether a full sync was pending.</summary>
    public bool Load(Dictionary<RawPath, PendingOp> pending)
    {
        _stream.Position = 0;
        byte[] all = new byte[_stream.Length];
        _stream.ReadExactly(all);
        bool full = false;
        int good = 0;
        if (all.Length >= Magic.Length && all.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            int pos = Magic.Length;
            good = pos;
            while (all.Length - pos >= 8)
            {
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(pos));
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(all.AsSpan(pos + 4));
                if (len == 0 || len > MaxRecord || len > all.Length - pos - 8)
                    break;
                ReadOnlySpan<byte> payload = all.AsSpan(pos + 8, (int)len);
                if (Crc32.HashToUInt32(payload) != crc)
                    break;
                byte op = payload[0];
                RawPath path = RawPath.FromBytes(payload[1..]);
                if (op == FullOp)
                {
                    full = true;
                    pending.Clear();
                }
                else if (op is (byte)PendingOp.Send or (byte)PendingOp.SendTree or (byte)PendingOp.Delete)
                    pending[path] = (PendingOp)op;
                else
                    break;
                pos += 8 + (int)len;
                good = pos;
            }
        }
        if (good != all.Length)
        {
            // Torn tail (or no header yet): keep what was whole.
            if (good == 0)
            {
                _stream.SetLength(0);
                _stream.Write(Magic);
            }
            else
                _stream.SetLength(good);
            _stream.Flush(flushToDisk: true);
        }
        _stream.Position = _stream.Length;
        return full;
    }

    /// <summary>Appends changes and makes them durable before returning.</summary>
    public void Append(bool fullSync, IEnumerable<KeyValuePair<RawPath, PendingOp>> changes)
    {
        _stream.Write(Records(fullSync, changes));
        _stream.Flush(flushToDisk: true);
    }

    /// <summary>Replaces the journal with exactly this pending set, atomically.</summary>
    public void Rewrite(bool fullSync, IEnumerable<KeyValuePair<RawPath, PendingOp>> pending)
    {
        string tmp = _path + ".tmp";
        try
        {
            using var s = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
            s.Write(Magic);
            s.Write(Records(fullSync, pending));
            s.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            File.Delete(tmp); // disk full: the old journal stays as it was, and no half-written copy takes space
            throw;
        }
        _stream.Dispose();
        File.Move(tmp, _path, overwrite: true);
        RawDirectory.FSync(Encoding.UTF8.GetBytes(Path.GetDirectoryName(Path.GetFullPath(_path)) ?? "/"));
        _stream = OpenForAppend(_path);
    }

    /// <summary>Closes the journal file.</summary>
    public void Dispose() => _stream.Dispose();

    private static FileStream OpenForAppend(string path)
    {
        // Unbuffered (each batch's records are one write(2), see Records): a failed write (disk full) leaves nothing
        // queued in the stream to surface later; a torn record on disk is cut off by Load, and a rewrite replaces the file.
        var s = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        if (s.Length == 0)
        {
            s.Write(Magic);
            s.Flush(flushToDisk: true);
        }
        s.Position = s.Length;
        return s;
    }

    /// <summary>The records of one append or rewrite, in one buffer (reused), so they reach the file in one write.</summary>
    private ReadOnlySpan<byte> Records(bool fullSync, IEnumerable<KeyValuePair<RawPath, PendingOp>> changes)
    {
        _records.ResetWrittenCount();
        if (fullSync)
            WriteRecord(_records, FullOp, default);
        foreach (KeyValuePair<RawPath, PendingOp> kv in changes)
            WriteRecord(_records, (byte)kv.Value, kv.Key);
        return _records.WrittenSpan;
    }

    private static void WriteRecord(ArrayBufferWriter<byte> records, byte op, RawPath path)
    {
        int len = 1 + path.ByteCount;
        if (len > MaxRecord)
            throw new RsyncException(RsyncErrorKind.FileIo, $"path too long to journal: {path}");
        Span<byte> buffer = records.GetSpan(len + 8)[..(len + 8)];
        buffer[8] = op;
        path.CopyTo(buffer[9..]);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)len);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[4..], Crc32.HashToUInt32(buffer[8..]));
        records.Advance(len + 8);
    }
}
