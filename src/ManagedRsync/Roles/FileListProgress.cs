using System.Text;

namespace ManagedRsync.Roles;

/// <summary>
/// A client's file-list line when the list is not incremental (rsync flist.c: start_filelist_progress,
/// maybe_emit_filelist_progress, finish_filelist_progress): "KIND ... done" with info=flist1; with info=flist2 (also
/// --progress) the count every 100 entries, each ending in '\r', then "N files to consider".
/// </summary>
internal static class FileListProgress
{
    /// <param name="kind">"building file list" (a sending client) or "receiving file list".</param>
    /// <param name="count">The entries in the list.</param>
    /// <param name="counts">info=flist2: the counts and the total instead of "done".</param>
    /// <param name="sender">
    /// A sender counts an entry before adding it (send_file_name: the first count is 0), a receiver after (recv_file_list:
    /// the first is 100).
    /// </param>
    public static string Line(string kind, int count, bool counts, bool sender)
    {
        var line = new StringBuilder(Start(kind));
        if (!counts)
            return line.Append(Finish(count, counts)).ToString();
        bool first = true;
        for (int k = sender ? 0 : 100; sender ? k < count : k <= count; k += 100)
        {
            // log.c: rwrite — the first count goes on a new line (output_needs_newline after "KIND ... ").
            if (first)
                line.Append('\n');
            first = false;
            line.Append(' ').Append(k).Append(" files...\r");
        }
        return line.Append(Finish(count, counts)).ToString();
    }

    /// <summary>The line's start, printed before the list is read (flist.c: start_filelist_progress).</summary>
    public static string Start(string kind) => kind + " ... ";

    /// <summary>
    /// The line's end, "done" or "N files to consider": the only part stock writes with FINFO (finish_filelist_progress),
    /// which a --log-file gets too; the rest is FCLIENT.
    /// </summary>
    public static string Finish(int count, bool counts) =>
        !counts ? "done" : count + (count == 1 ? " file to consider" : " files to consider");
}
