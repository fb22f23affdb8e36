using System.Buffers;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;
using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

// rsync generator.c: quick_check_ok, and a request for a file (write_ndx_and_attrs, write_sum_head,
// generate_and_send_sums).
internal sealed partial class GeneratorRole
{
    // rsync generator.c: quick_check_ok — same size and same mtime, or same checksum with -c (which -I does not
    // override), or same size with --size-only; -I fails the time comparison only.
    private bool QuickCheckPasses(FileEntry file, EntryStatus local, string name)
    {
        if (local.Size != file.Size)
            return false;
        if (Options.AlwaysChecksum && file.Checksum is { } remoteSum)
            return ChecksumOfLocalFile(name) is { } localSum && localSum.AsSpan().SequenceEqual(remoteSum);
        if (Options.SizeOnly)
            return true;
        return !Options.IgnoreTimes && UpdateRules.SameTime(Options, file, local);
    }

    /// <summary>
    /// generator.c: recv_generator — at --info=skip2 the reason an --ignore-existing entry is passed over: another
    /// kind of entry (get_file_type: a device of either kind, a special of either kind), a failed quick_check_ok
    /// ("sum change" with -c), a failed unchanged_attrs (the time kept, permissions, owner as root, group), or none.
    /// </summary>
    private string ExistsSuffix(FileEntry file, EntryStatus local, string name)
    {
        if (!Options.Info.Gte(InfoFlag.Skip, 2))
            return "";
        if (KindOf(file.Mode) != KindOf(local.Mode))
            return " (type change)";
        bool same = file.IsRegular ? QuickCheckPasses(file, local, name)
            : file.IsSymlink ? file.LinkTarget is { } target && Destination?.ReadSymlink(name) == FileNameEncoding.Decode(target)
            : file.IsDevice ? (uint)file.RdevMajor == local.RdevMajor && (uint)file.RdevMinor == local.RdevMinor
            : !file.IsSpecial || ((uint)file.Mode & 0xF000) == (local.Mode & 0xF000);
        if (!same)
            return Options.AlwaysChecksum ? " (sum change)" : " (file change)";
        return (ItemizeAgainst(file, local, ItemChanges.None) & AttributeChanges) != 0 ? " (attr change)" : " (uptodate)";
    }

    // generator.c: get_file_type.
    private static int KindOf(long mode) => (mode & 0xF000) switch
    {
        0x2000 or 0x6000 => 0x2000,
        0x1000 or 0xC000 => 0x1000,
        long type => (int)type,
    };

    private byte[]? ChecksumOfLocalFile(string name, ConfinedDirectory? directory = null)
    {
        using var handle = (directory ?? Destination!).OpenBasis(name);
        if (handle is null)
            return null;
        using var sum = FileChecksum.CreateListSum(run.ListChecksum);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            long offset = 0;
            int n;
            while ((n = PositionalIo.ReadAt(handle, buffer, offset)) > 0)
            {
                sum.Append(buffer.AsSpan(0, n));
                offset += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var digest = new byte[sum.DigestLength];
        sum.GetDigestAndReset(digest);
        return digest;
    }

    /// <summary>
    /// Sends ndx, item flags and the sum header with the block sums of the basis (rsync generator.c:
    /// write_ndx_and_attrs, generate_and_send_sums). No basis (or -W) sends an empty header: the whole file comes.
    /// <paramref name="local"/> is what lstat found at the name; the receiver uses it instead of looking again.
    /// <paramref name="basisDirectory"/>: the basis is that --compare/--copy/--link-dest directory's file of the name
    /// (generator.c: FNAMECMP_BASIS_DIR_LOW + j), or <paramref name="basisName"/> in it or in the destination (the
    /// --partial-dir copy, FNAMECMP_PARTIAL_DIR, which <paramref name="usesUpBasis"/>; a -y pick, FNAMECMP_FUZZY + j),
    /// which only our receiver needs to know: the sender just echoes it.
    /// A dry run sends the index and flags only: with do_xfers off the generator skips write_sum_head and the
    /// sender echoes the index without reading sums (generator.c: recv_generator "if (!do_xfers)", sender.c:
    /// send_files "if (!do_xfers)"); before protocol 29 there are no flags on the wire, only the index.
    /// </summary>
    private void Request(int ndx, bool redo, EntryStatus? local, ItemChanges iflags, ConfinedDirectory? basisDirectory = null,
        EntryStatus? basisStatus = null, string? basisName = null, bool usesUpBasis = false)
    {
        string name = NameOf(ndx);
        if (run.Batch is { } batch)
        {
            // generator.c: recv_generator with read_batch — only the index goes out (to the receiver, batch_gen_fd),
            // no flags and no sums: the data in the batch was made against the sums the original run's generator sent,
            // which the batch holds (the receiver reads them there). A redo is the receiver's own list.
            MarkRequested(ndx);
            _parts?.Requested(ndx);
            run.Pending[ndx] = new PendingFile(default, local, iflags);
            if (!redo)
                batch.Want(ndx);
            return;
        }
        bool otherBasis = basisDirectory is not null || basisName is not null;
        iflags = WithXattrs(ndx, Files[ndx], iflags, basisDirectory, basisName);
        // generator.c: --append (not on a redo) sends the header of the receiver's copy without its block sums, and
        // turns -W off (generate_files: whole_file = 0).
        bool append = Options.Append && !redo;
        bool sums = Options.Transfers && (!Options.WholeFile || Options.Append) && (otherBasis ? basisStatus : local) is { IsRegularFile: true, Size: > 0 };
        // The length the open's fstat found (RandomAccess.GetLength would fstat again, and lseek first to ask whether
        // a descriptor it did not open can seek).
        long basisLength = 0;
        using var basis = sums ? (basisDirectory ?? Destination!).OpenBasis(basisName ?? name, out basisLength) : null;
        int digestLength = ChecksumNames.DigestLength(run.Checksum);
        SumHeader header = basis is null || basisLength == 0
            ? default
            : BlockLayout.For(basisLength, Protocol, digestLength, Options.BlockSize, redo);
        MarkRequested(ndx);
        _parts?.Requested(ndx);
        run.Order?.ExpectTransfer(ndx);
        run.Pending[ndx] = new PendingFile(header, local, iflags, basis is null && !usesUpBasis ? null : basisDirectory, basisName, usesUpBasis);

        NdxAndAttrs.Write(run.Connection, ndx, iflags);
        WriteXattrRequest(Files[ndx], iflags);
        if (!Options.Transfers)
            return;
        Span<byte> head = run.Connection.Out.GetSpan(SumHeader.WireSize(Protocol));
        run.Connection.Out.Advance(header.Write(head, Protocol));
        if (header.Count > 0 && !append)
            BlockSums.Write(basis!, header, run.Checksum, run.Connection.Parameters.ChecksumSeed, run.Connection.Parameters.ChecksumSeedFix, run.Connection.Out);
    }
}
