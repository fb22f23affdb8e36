
namespace ManagedRsync.Cli.Output;

/// <summary>
/// What a client prints after a push or a pull (rsync main.c: output_summary): with --stats the full block, with -v
/// or --stats the two closing lines; -q prints neither (log.c: rwrite drops FINFO under --quiet), though a --log-file
/// gets them all the same (and never the blank lines, which are FCLIENT).
/// </summary>
internal static class TransferSummary
{
    /// <param name="seconds">Whole seconds between start and end as time(NULL) counts them (main.c: starttime, endtime).</param>
    public static void Print(TextWriter output, RsyncOptions o, TransferResult result, long seconds, ClientLog? log = null)
    {
        var w = new SummaryWriter(o.Quiet ? null : output, log);
        TransferStats s = result.Stats;
        var n = o.Numbers;
        int protocol = result.ProtocolVersion;
        // main.c: output_summary — the full block with INFO_GTE(STATS, 2) (--stats), the two closing lines with
        // INFO_GTE(STATS, 1) (-v too).
        InfoLevels info = o.Info;
        if (info.Gte(InfoFlag.Stats, 2))
        {
            w.WriteLine();
            w.WriteLine(Counts(n, "Number of files", s.NumFiles, s.NumDirs, s.NumSymlinks, s.NumDevices, s.NumSpecials));
            if (protocol >= 29)
                w.WriteLine(Counts(n, "Number of created files", s.CreatedFiles, s.CreatedDirs, s.CreatedSymlinks, s.CreatedDevices, s.CreatedSpecials));
            if (protocol >= 31)
            {
                int deleted = s.DeletedFiles + s.DeletedDirs + s.DeletedSymlinks + s.DeletedDevices + s.DeletedSpecials;
                w.WriteLine(Counts(n, "Number of deleted files", deleted, s.DeletedDirs, s.DeletedSymlinks, s.DeletedDevices, s.DeletedSpecials));
            }
            w.WriteLine($"Number of regular files transferred: {n.Comma(s.TransferredFiles)}");
            w.WriteLine($"Total file size: {n.Human(s.TotalSize)} bytes");
            w.WriteLine($"Total transferred file size: {n.Human(s.TotalTransferredSize)} bytes");
            w.WriteLine($"Literal data: {n.Human(s.LiteralData)} bytes");
            w.WriteLine($"Matched data: {n.Human(s.MatchedData)} bytes");
            w.WriteLine($"File list size: {n.Human(s.FileListSize)}");
            if (s.FileListBuildMs != 0)
            {
                w.WriteLine($"File list generation time: {n.CommaDecimal(s.FileListBuildMs / 1000.0, 3)} seconds");
                w.WriteLine($"File list transfer time: {n.CommaDecimal(s.FileListTransferMs / 1000.0, 3)} seconds");
            }
            w.WriteLine($"Total bytes sent: {n.Human(s.TotalBytesSent)}");
            w.WriteLine($"Total bytes received: {n.Human(s.TotalBytesReceived)}");
        }
        if (info.Gte(InfoFlag.Stats, 1))
        {
            long moved = s.TotalBytesSent + s.TotalBytesReceived;
            w.WriteLine();
            w.WriteLine($"sent {n.Human(s.TotalBytesSent)} bytes  received {n.Human(s.TotalBytesReceived)} bytes  "
                + $"{n.HumanDecimal(moved / (0.5 + seconds), 2)} bytes/sec");
            w.WriteLine($"total size is {n.Human(s.TotalSize)}  speedup is {n.CommaDecimal((double)s.TotalSize / moved, 2)}"
                + (o.OnlyWriteBatch ? " (BATCH ONLY)" : o.DryRun ? " (DRY RUN)" : ""));
        }
    }

    // FINFO lines to the terminal (unless -q) and the log file; a blank line (FCLIENT) to the terminal only.
    private sealed class SummaryWriter(TextWriter? output, ClientLog? log)
    {
        public void WriteLine(string line)
        {
            output?.WriteLine(line);
            log?.Message(line);
        }

        public void WriteLine() => output?.WriteLine();
    }

    // rsync main.c: output_itemized_counts — "Number of files: 9 (reg: 4, dir: 4, link: 1)", nonzero kinds only;
    // "reg" is what the other kinds leave of the total.
    private static string Counts(HumanNumbers n, string prefix, int total, int dir, int link, int dev, int special)
    {
        int reg = total - dir - link - dev - special;
        string line = $"{prefix}: {n.Comma(total)}";
        if (total == 0)
            return line;
        var parts = new List<string>();
        foreach (var (label, count) in new[] { ("reg", reg), ("dir", dir), ("link", link), ("dev", dev), ("special", special) })
        {
            if (count != 0)
                parts.Add($"{label}: {n.Comma(count)}");
        }
        return line + " (" + string.Join(", ", parts) + ")";
    }
}
