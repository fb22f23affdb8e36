namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>Extended attributes of test trees, set and dumped with the attr package's setfattr and getfattr.</summary>
public static class XattrTrees
{
    public static Task SetAsync(string path, string name, string value) =>
        ToolAsync("setfattr", ["-h", "-n", name, "-v", value, path]);

    public static Task RemoveAsync(string path, string name) => ToolAsync("setfattr", ["-h", "-x", name, path]);

    public static async Task<string> ToolAsync(string program, string[] args)
    {
        string tool = ToolProcess.FindOnPath(program)
            ?? throw new InvalidOperationException($"{program} not found: install the attr package (.ci/run does)");
        ProcessResult r = await ToolProcess.RunAsync(tool, args);
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    // getfattr's dump of every entry (symlinks not followed), the entries in name order, security.* left out (a
    // labelling LSM's, not the transfer's).
    public static async Task<string> DumpAsync(string root)
    {
        string text = await ToolAsync("getfattr", ["-R", "-h", "-P", "-d", "-m", "-", "-e", "hex", root]);
        string prefix = "# file: " + root.TrimStart('/');
        var blocks = text.Replace("\r", "").Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => string.Join('\n', b.Split('\n').Where(l => !l.StartsWith("security.", StringComparison.Ordinal))).Replace(prefix, "# file: DEST"))
            .Order(StringComparer.Ordinal);
        return string.Join("\n\n", blocks);
    }
}
