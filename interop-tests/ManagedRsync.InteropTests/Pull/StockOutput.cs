using System.Text;
using System.Text.RegularExpressions;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>
/// Puts a pull's stdout from stock rsync and from mrsync side by side. Masked, and nothing else: the destination path;
/// what depends on time (bytes/sec, the progress rates and times, the file-list times); and the byte counts that
/// depend on how the file list travels (sent/received, "File list size", the speedup made of them, and the
/// position in "to-chk=N/M", which counts the entries left in the order the sub-lists arrive), because stock rsync
/// recurses incrementally from protocol 30 and mrsync takes the whole list first.
/// </summary>
internal static partial class StockOutput
{
    public static string Normalize(string stdout, string destination)
    {
        string text = stdout.Replace(destination, "DEST", StringComparison.Ordinal);
        text = SentReceived().Replace(text, "sent N bytes  received N bytes  N bytes/sec");
        text = Speedup().Replace(text, "speedup is N");
        text = StatsBytes().Replace(text, "$1 N");
        text = StatsTime().Replace(text, "$1 N seconds");
        text = ProgressRate().Replace(text, "RATE TIME");
        text = ToCheck().Replace(text, "to-chk=N/");
        return text;
    }

    /// <summary>
    /// Stock's -v header where mrsync's sender declined incremental recursion (--progress, -H, -R: the whole list goes
    /// first): stock prints "sending incremental file list", mrsync what stock prints then (flist.c: send_file_list,
    /// show_filelist_progress when !inc_recurse: "done", or the file count with info=flist2). Where mrsync recursed incrementally too, both print stock's header
    /// and nothing is mapped; the lines that follow are in the same order either way.
    /// </summary>
    public static string DeclinedIncrementalHeader(this string stock, string ours) =>
        WholeListHeader().Match(ours) is { Success: true } header
            ? stock.Replace("sending incremental file list\n", header.Value, StringComparison.Ordinal)
            : stock;

    // "building file list ... done", or with info=flist2 (--progress) the counting form that ends "N files to consider".
    [GeneratedRegex(@"^building file list \.\.\. (done\n|\n[^\n]*files to consider\n)", RegexOptions.Multiline)]
    private static partial Regex WholeListHeader();

    /// <summary>A snapshot of a tree: every entry (the root too) with type, mode, mtime to the tick, target or content hash.</summary>
    public static string Snapshot(string root)
    {
        if (!Directory.Exists(root))
            return "(absent)";
        var text = new StringBuilder();
        var paths = Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Prepend(root);
        foreach (string path in paths)
        {
            var info = new FileInfo(path);
            text.Append(Path.GetRelativePath(root, path)).Append(' ');
            if (info.LinkTarget is { } target)
                text.Append("-> ").Append(target).Append(' ').Append(info.LastWriteTimeUtc.Ticks);
            else if (Directory.Exists(path))
                text.Append("dir ").Append(Convert.ToString((int)File.GetUnixFileMode(path), 8)).Append(' ').Append(Directory.GetLastWriteTimeUtc(path).Ticks);
            else
                text.Append("file ").Append(Convert.ToString((int)File.GetUnixFileMode(path), 8)).Append(' ').Append(info.LastWriteTimeUtc.Ticks)
                    .Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
            text.AppendLine();
        }
        return text.ToString();
    }

    /// <summary>Copies a tree (content, modes, times; symlinks as symlinks, with their own times).</summary>
    public static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string path in Directory.EnumerateFileSystemEntries(from, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, path));
            var info = new FileInfo(path);
            if (info.LinkTarget is { } link)
                File.CreateSymbolicLink(target, link);
            else if (Directory.Exists(path))
                Directory.CreateDirectory(target);
            else
                File.Copy(path, target);
        }
        foreach (string path in Directory.EnumerateFileSystemEntries(from, "*", SearchOption.AllDirectories).Prepend(from)
                     .OrderByDescending(p => p.Length))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, path));
            if (new FileInfo(path).LinkTarget is not null)
            {
                // A symlink keeps its own time too (.NET sets times through links): touch -h -r copies it.
                using var touch = System.Diagnostics.Process.Start("touch", ["-h", "-r", path, target]);
                touch.WaitForExit();
                continue;
            }
            File.SetUnixFileMode(target, File.GetUnixFileMode(path));
            if (Directory.Exists(path))
                Directory.SetLastWriteTimeUtc(target, Directory.GetLastWriteTimeUtc(path));
            else
                File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(path));
        }
    }

    [GeneratedRegex(@"sent [0-9.,KMGTP]+ bytes  received [0-9.,KMGTP]+ bytes  [0-9.,KMGTP]+ bytes/sec")]
    private static partial Regex SentReceived();

    [GeneratedRegex(@"speedup is [0-9.,]+")]
    private static partial Regex Speedup();

    [GeneratedRegex(@"^(File list size:|Total bytes sent:|Total bytes received:) [0-9.,KMGTP]+$", RegexOptions.Multiline)]
    private static partial Regex StatsBytes();

    [GeneratedRegex(@"^(File list generation time:|File list transfer time:) [0-9.,]+ seconds$", RegexOptions.Multiline)]
    private static partial Regex StatsTime();

    [GeneratedRegex(@"to-chk=[0-9]+/")]
    private static partial Regex ToCheck();

    [GeneratedRegex(@" +[0-9.]+[kMG]B/s +[0-9?]+:[0-9?]+:[0-9?]+")]
    private static partial Regex ProgressRate();
}
