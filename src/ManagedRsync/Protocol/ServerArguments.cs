using System.Globalization;
using System.Text;
using ManagedRsync.Transfer;

namespace ManagedRsync.Protocol;

/// <summary>
/// The argument vector rsync's client sends the daemon for a push (rsync options.c: server_options, am_sender):
/// "--server", one short-option string ending in the "e." capability letters, the long options, ".", and the
/// module path. Verified byte for byte against stock rsync 3.5.0's client on the wire.
/// </summary>
internal static class ServerArguments
{
    /// <summary>
    /// What we tell a protocol-30+ server we support (rsync options.c: maybe_add_e_option; compat.c reads them):
    /// L symlink times, s symlink iconv, f safe file list, x no xattr optimisation, C checksum-seed fix,
    /// I inplace partial dir, v varint flist flags + negotiated names, u names for id 0. No 'i': incremental
    /// recursion is declined, the whole file list goes first.
    /// </summary>
    public const string Capabilities = "LsfxCIvu";

    public static List<string> ForPush(TransferOptions o, string modulePath)
    {
        var args = new List<string> { "--server" };
        var s = new StringBuilder("-");
        for (int i = 0; i < o.Verbose && i < 9; i++)
            s.Append('v');
        if (o.DryRun)
            s.Append('n');
        if (o.Links)
            s.Append('l');
        // rsync options.c: server_options sends 'd' for dirs without -r when listing or deleting.
        if (o.Dirs && !o.Recursive && (o.ListOnly || o.IsDeleting))
            s.Append('d');
        if (o.WholeFile)
            s.Append('W');
        if (o.HardLinks)
            s.Append('H');
        if (o.Owner)
            s.Append('o');
        if (o.Group)
            s.Append('g');
        if (o.Devices)
            s.Append('D');
        if (o.Times)
            s.Append('t');
        if (o.Perms)
            s.Append('p');
        if (o.Recursive)
            s.Append('r');
        if (o.AlwaysChecksum)
            s.Append('c');
        if (o.CvsExclude)
            s.Append('C');
        if (o.IgnoreTimes)
            s.Append('I');
        if (o.Relative)
            s.Append('R');
        // rsync options.c: 'z' only when the compression is plain zlib (no --compress-choice, or choice zlib).
        string? compress = CompressionChoice(o);
        if (o.Compress && (compress is null || compress == "zlib"))
            s.Append('z');
        if (o.Protocol >= 30)
            s.Append("e.").Append(Capabilities);
        if (s.Length > 1)
            args.Add(s.ToString());

        if (o.ListOnly)
            args.Add("--list-only");
        if (o.Dirs && !o.Recursive && o.IsDeleting)
            args.Add("--no-r");
        if (o.Compress && o.CompressLevel is int level)
            args.Add("--compress-level=" + level.ToString(CultureInfo.InvariantCulture));
        if (o.Devices && !o.Specials)
            args.Add("--no-specials");
        else if (!o.Devices && o.Specials)
            args.Add("--specials");
        if (o.ItemizeChanges > 0)
            args.Add("--log-format=%i");
        if (o.BlockSize > 0)
            args.Add("-B" + o.BlockSize.ToString(CultureInfo.InvariantCulture));
        if (o.Timeout > 0)
            args.Add("--timeout=" + o.Timeout.ToString(CultureInfo.InvariantCulture));
        if (o.BandwidthLimit > 0)
            args.Add("--bwlimit=" + o.BandwidthLimit.ToString(CultureInfo.InvariantCulture));
        if (o.ChecksumChoice is not null)
            args.Add("--checksum-choice=" + o.ChecksumChoice);
        if (o.Compress && compress is not null)
        {
            if (compress == "zlibx")
                args.Add("--new-compress");
            else if (compress == "zlib")
                args.Add("--old-compress");
            else
                args.Add("--compress-choice=" + compress);
        }
        switch (o.Delete)
        {
            case DeleteTiming.Before: args.Add("--delete-before"); break;
            case DeleteTiming.Delay: args.Add("--delete-delay"); break;
            case DeleteTiming.During: args.Add("--delete-during"); break;
            case DeleteTiming.After: args.Add("--delete-after"); break;
            case DeleteTiming.Default when !o.DeleteExcluded: args.Add("--delete"); break;
        }
        if (o.DeleteExcluded)
            args.Add("--delete-excluded");
        if (o.SizeOnly)
            args.Add("--size-only");
        if (o.Stats)
            args.Add("--stats");
        if (o.DeleteMissingArgs)
            args.Add("--delete-missing-args");
        if (o.NumericIds)
            args.Add("--numeric-ids");
        args.Add(".");
        args.Add(modulePath);
        return args;
    }

    /// <summary>The compression named by --compress-choice ("none" turns -z off), or null to negotiate.</summary>
    public static string? CompressionChoice(TransferOptions o) =>
        o.CompressChoice is null or "" ? null : o.CompressChoice;
}
