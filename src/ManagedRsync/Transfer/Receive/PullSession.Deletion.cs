using ManagedRsync.FileList;
using ManagedRsync.Filters;

namespace ManagedRsync.Transfer.Receive;

// --delete on our side: what the sender no longer has goes, except what the filter rules exclude. rsync's receiver
// keeps its own filter list for this (exclude.c send_filter_list parses the rules on the client too) and a name
// excluded on the receiver side is protected, also inside a directory being deleted (delete.c delete_dir_contents:
// such a directory stays, "cannot delete non-empty directory"), except by perishable rules, which only protect
// names the sender's directories still hold.
internal sealed partial class PullSession
{
    private FilterMatcher? _protect;

    private FilterMatcher? CreateProtection() =>
        _request.Filters is { } filters && (filters.Rules.Count > 0 || filters.CvsExclude)
            ? filters.CreateMatcher(FilterSide.Receiver, new FilterMatcherOptions { LocalRoot = _request.Destination })
            : null;

    private void DeleteExtraneous(string directory, Dictionary<string, HashSet<string>> keep)
    {
        HashSet<string> wanted = keep.GetValueOrDefault(directory) ?? [];
        foreach (string child in _dest!.List(directory))
        {
            if (wanted.Contains(child))
                continue;
            DeleteUnlessProtected(directory == "." ? child : directory + "/" + child);
        }
    }

    /// <summary>Deletes <paramref name="path"/> unless the rules protect it or something in it; returns whether it went.</summary>
    private bool DeleteUnlessProtected(string path)
    {
        bool isDirectory = _dest!.Stat(path) is { IsDirectory: true };
        if (_protect is not null)
        {
            if (_protect.IsExcluded(path, isDirectory))
                return false;
            if (isDirectory)
            {
                bool outermost = !_protect.IgnorePerishable;
                _protect.IgnorePerishable = true;
                bool emptied = true;
                foreach (string child in _dest.List(path))
                    emptied &= DeleteUnlessProtected(path + "/" + child);
                if (outermost)
                    _protect.IgnorePerishable = false;
                if (!emptied)
                {
                    Say(_generating, $"cannot delete non-empty directory: {FileNameEncoding.Display(path)}");
                    return false;
                }
            }
        }
        _dest.Delete(path);
        _stats.DeletedFiles++;
        if (isDirectory)
            _stats.DeletedDirs++;
        if (_options.Verbose > 0 || _options.ItemizeChanges > 0)
            Say(_generating, (_options.ItemizeChanges > 0 ? "*deleting   " : "deleting ") + FileNameEncoding.Display(path) + (isDirectory ? "/" : ""));
        return true;
    }
}
