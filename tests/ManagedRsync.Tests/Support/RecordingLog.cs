namespace ManagedRsync.Tests.Support;

/// <summary>
/// A transfer log that keeps every line a role reports, in order (thread-safe: generator and receiver report from
/// two tasks). Errors are prefixed "E ", deletions read as rsync prints them, items and listings as their names.
/// </summary>
internal sealed class RecordingLog : ITransferLog
{
    public List<string> All { get; } = [];

    public void Info(string line)
    {
        lock (All)
            All.Add(line);
    }

    public void Error(string line) => Info("E " + line);

    public void Deleted(string name, bool isDirectory, int mode) => Info("deleting " + name + (isDirectory ? "/" : ""));

    public void Item(ItemizedChange change) => Info(change.Name);

    public void Listed(ListingEntry entry) => Info(entry.Name);
}
