namespace ManagedRsync.Tests.Watch;

/// <summary>Compares two trees entry by entry: type, file bytes, symlink target, permission bits.</summary>
internal static class TreeCompare
{
    /// <summary>Null when the trees match; otherwise the first differences.</summary>
    public static string? Diff(string source, string replica)
    {
        var diffs = new List<string>();
        Dictionary<string, FileSystemInfo> a = List(source), b = List(replica);
        foreach ((string rel, FileSystemInfo x) in a)
        {
            if (!b.TryGetValue(rel, out FileSystemInfo? y))
            {
                diffs.Add($"missing on replica: {rel}");
                continue;
            }
            if (x.LinkTarget is { } lt)
            {
                if (y.LinkTarget != lt)
                    diffs.Add($"symlink {rel}: {lt} vs {y.LinkTarget ?? "(not a link)"}");
                continue;
            }
            if ((x is DirectoryInfo) != (y is DirectoryInfo) || y.LinkTarget is not null)
                diffs.Add($"type differs: {rel}");
            else if (x is FileInfo fx && !File.ReadAllBytes(fx.FullName).AsSpan().SequenceEqual(File.ReadAllBytes(y.FullName)))
                diffs.Add($"content differs: {rel}");
            else if (OperatingSystem.IsLinux() && x.UnixFileMode != y.UnixFileMode)
                diffs.Add($"mode differs: {rel} {x.UnixFileMode} vs {y.UnixFileMode}");
        }
        foreach (string rel in b.Keys)
        {
            if (!a.ContainsKey(rel))
                diffs.Add($"extra on replica: {rel}");
        }
        return diffs.Count == 0 ? null : string.Join("; ", diffs.Take(10));
    }

    private static Dictionary<string, FileSystemInfo> List(string root)
    {
        var all = new Dictionary<string, FileSystemInfo>(StringComparer.Ordinal);
        if (!Directory.Exists(root))
            return all;
        var pending = new Stack<DirectoryInfo>();
        pending.Push(new DirectoryInfo(root));
        while (pending.Count > 0)
        {
            DirectoryInfo d = pending.Pop();
            foreach (FileSystemInfo e in d.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                all[Path.GetRelativePath(root, e.FullName)] = e;
                if (e is DirectoryInfo sub && e.LinkTarget is null)
                    pending.Push(sub);
            }
        }
        return all;
    }

    /// <summary>Waits (bounded, generous) until the replica matches the source; fails with the remaining difference.</summary>
    public static void WaitConverged(string source, string replica, string what)
    {
        DateTime until = DateTime.UtcNow.AddSeconds(30);
        string? diff;
        while ((diff = Diff(source, replica)) is not null)
        {
            if (DateTime.UtcNow > until)
                Assert.Fail($"{what}: replica never converged: {diff}");
            Thread.Sleep(50);
        }
    }
}
