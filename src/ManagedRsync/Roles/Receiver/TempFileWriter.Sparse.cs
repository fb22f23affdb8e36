using System.Runtime.InteropServices;
using ManagedRsync.Platform;
using Microsoft.Win32.SafeHandles;
using static ManagedRsync.Platform.Interop;

namespace ManagedRsync.Roles.Receiver;

// -S/--sparse, --preallocate and --fsync for the file being received (rsync fileio.c: write_sparse, sparse_end;
// receiver.c: receive_data's do_fallocate, the closing ftruncate and fsync).
internal sealed partial class TempFileWriter
{
    /// <summary>
    /// fileio.c: write_sparse skips a run of zero bytes at either end of each write and any run of at least
    /// SPARSE_WRITE_SIZE (1024) inside one. Which runs a block holds decides nothing but whether it is allocated, and
    /// a whole file-system block of zeros always lies in a run of 1024 or more, so skipping every such run here (and
    /// the runs at the ends of our own larger writes) allocates the same blocks as stock.
    /// </summary>
    private const int SparseWriteSize = 1024;

    private long _preallocated;
    private long _holeStart;
    private long _holeEnd;

    /// <summary>-S: runs of zero bytes become holes.</summary>
    public bool Sparse { get; set; }

    /// <summary>--fsync: the file is synced before it is let go.</summary>
    public bool Fsync { get; set; }

    /// <summary>
    /// --preallocate (syscall.c: do_fallocate): reserves the file's expected length, one byte off so that the closing
    /// truncate always runs; kept beyond the end of the file (FALLOC_FL_KEEP_SIZE) unless -S will punch holes in it.
    /// Returns 0, or the errno stock warns about ("do_fallocate NAME failed").
    /// </summary>
    public int Preallocate(long length)
    {
        if (_file is null || length <= 0)
            return 0;
        length += (length & 1) != 0 ? 1 : -1;
        if (Fallocate((int)_file.DangerousGetHandle(), Sparse ? 0 : FALLOC_FL_KEEP_SIZE, 0, length) != 0)
            return Marshal.GetLastPInvokeError();
        _preallocated = length;
        return 0;
    }

    /// <summary>
    /// receiver.c: receive_data's inplace_sizing with -S — the file written in place already holds its old length, in
    /// which a run of zeros must be punched out, not skipped (the old data would stay); with -W it is cut to nothing
    /// first ("the most compatible way to create a sparse file is to start with no length").
    /// </summary>
    public void SizeInPlace(long existingLength, bool startEmpty)
    {
        if (_file is null)
            return;
        if (startEmpty)
        {
            RandomAccess.SetLength(_file, 0);
            _preallocated = 0;
            return;
        }
        _preallocated = existingLength;
    }

    private void WriteSparse(SafeFileHandle file, ReadOnlySpan<byte> data, long offset)
    {
        int at = 0;
        while (at < data.Length)
        {
            int zeros = data[at..].IndexOfAnyExcept((byte)0);
            int run = zeros < 0 ? data.Length - at : zeros;
            bool atEdge = at == 0 || zeros < 0;
            if (run > 0 && (atEdge || run >= SparseWriteSize))
            {
                Hole(offset + at, run);
                at += run;
                continue;
            }
            // A span of data, short zero runs included, up to the next run worth a hole (or the end).
            int end = at + run;
            while (end < data.Length)
            {
                int next = data[end..].IndexOf((byte)0);
                if (next < 0)
                {
                    end = data.Length;
                    break;
                }
                end += next;
                int length = data[end..].IndexOfAnyExcept((byte)0);
                if (length < 0 || length >= SparseWriteSize)
                    break;
                end += length;
            }
            PunchPendingHole(file);
            PositionalIo.WriteAt(file, data[at..end], offset + at);
            at = end;
        }
    }

    // fileio.c: write_sparse defers a hole (sparse_seek) until data follows it.
    private void Hole(long offset, int length)
    {
        if (_holeEnd != offset)
            _holeStart = offset;
        _holeEnd = offset + length;
    }

    // fileio.c: flush_sparse_hole — past the preallocated length nothing is there to free; inside it the range is
    // punched out (do_punch_hole). A hole the file ends in is never flushed: sparse_end only truncates, so with
    // --preallocate those blocks stay allocated.
    private void PunchPendingHole(SafeFileHandle file)
    {
        if (_holeEnd > _holeStart && _holeStart < _preallocated)
            Fallocate((int)file.DangerousGetHandle(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, _holeStart, _holeEnd - _holeStart);
        _holeStart = _holeEnd;
    }

    // fileio.c: sparse_end truncates a file that ends in a hole to its length; receiver.c cuts off what was
    // preallocated past it; then --fsync.
    private void EndFile(SafeFileHandle file, long length)
    {
        // fileio.c: sparse_end — updating the file in place, a hole it ends in is punched out before the truncate.
        if (Sparse && InPlace && _holeEnd > _holeStart)
            Fallocate((int)file.DangerousGetHandle(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, _holeStart, _holeEnd - _holeStart);
        if ((Sparse && _holeEnd == length && length > 0) || _preallocated > length || InPlace)
            RandomAccess.SetLength(file, length);
        if (Fsync && FSync((int)file.DangerousGetHandle()) != 0)
            throw new IOException($"fsync failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }
}
