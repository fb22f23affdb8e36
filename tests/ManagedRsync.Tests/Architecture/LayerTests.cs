namespace ManagedRsync.Tests.Architecture;

/// <summary>
/// The library's folders (namespace = folder) depend on each other in one direction only, as protocol-notes.md
/// "Layers" draws it; read from ManagedRsync.dll's IL, method bodies included.
/// </summary>
public class LayerTests
{
    /// <summary>Bottom first (STYLE.md "Layers" as plan12 adapts it; the CLI is another assembly, above them all).</summary>
    internal static readonly LayerModel Library = new("ManagedRsync",
        // The root namespace is the library's common vocabulary (RsyncException, RsyncErrorKind, RsyncExitCode;
        // TransferOptions, ITransferLog, TransferStats, DeleteTiming): every layer uses it, so it sits at the bottom.
        ("Platform", ["ManagedRsync.Platform", "ManagedRsync"]),
        ("Wire", ["ManagedRsync.IO", "ManagedRsync.Protocol"]),
        ("Session", ["ManagedRsync.Session"]),
        ("FileList/Filters/Destination", ["ManagedRsync.FileList", "ManagedRsync.Filters", "ManagedRsync.Destination",
            "ManagedRsync.Checksums", "ManagedRsync.Delta"]),
        ("Roles", ["ManagedRsync.Roles"]),
        ("Transports", ["ManagedRsync.Transports", "ManagedRsync.Daemon", "ManagedRsync.Server", "ManagedRsync.DaemonServer"]),
        ("Client", ["ManagedRsync.Client"]),
        ("Watch", ["ManagedRsync.Watch"]));

    /// <summary>
    /// Known violations still to mend, exact (from, to) pairs. The test fails when one is mended and still listed:
    /// delete the line then. Never add to it to make a new violation pass.
    /// </summary>
    internal static readonly HashSet<(string From, string To)> Allowed =
    [
    ];

    private static readonly Lazy<NamespaceGraph> Graph = new(() =>
        NamespaceGraph.Load(typeof(RsyncException).Assembly.Location, "ManagedRsync"));

    [Fact]
    public void No_lower_layer_uses_a_higher_one_and_no_folder_cycles()
    {
        var (fresh, _) = Library.Check(Graph.Value.Edges.Keys, Allowed);
        Assert.True(fresh.Count == 0,
            "Layer violations (see protocol-notes.md \"Layers\"):\n" + string.Join('\n', fresh.Select(v => v + Example(v)))
            + "\n\nThe whole graph:\n" + Graph.Value.Describe());
    }

    [Fact]
    public void Every_allowed_violation_still_exists()
    {
        var (_, stale) = Library.Check(Graph.Value.Edges.Keys, Allowed);
        Assert.True(stale.Count == 0,
            "These are mended: delete them from LayerTests.Allowed:\n" + string.Join('\n', stale));
    }

    private static string Example(string violation)
    {
        string[] pair = violation[..violation.IndexOf(": ", StringComparison.Ordinal)].Split(" -> ");
        return Graph.Value.Edges.TryGetValue((pair[0], pair[1]), out string? use) ? $"\n    e.g. {use}" : "";
    }
}
