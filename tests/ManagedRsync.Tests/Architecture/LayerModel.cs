namespace ManagedRsync.Tests.Architecture;

/// <summary>
/// Layers, bottom first, each a set of namespaces (a namespace covers its sub-namespaces; <see cref="RootNamespace"/>
/// covers only itself). An edge breaks the model when it goes up (a lower layer uses a higher one), or when it goes
/// sideways inside one layer and lies on a cycle (two folders of one layer may use each other one way only). Every
/// namespace in the graph must belong to a layer, so a new folder is placed on purpose.
/// </summary>
internal sealed class LayerModel(string rootNamespace, params (string Layer, string[] Namespaces)[] layers)
{
    public string RootNamespace { get; } = rootNamespace;

    /// <summary>The layer index of <paramref name="ns"/> (0 = bottom), or -1 when no layer claims it.</summary>
    public int LayerOf(string ns)
    {
        int best = -1, bestLength = -1;
        for (int i = 0; i < layers.Length; i++)
        {
            foreach (string owned in layers[i].Namespaces)
            {
                bool match = owned == RootNamespace
                    ? ns == owned
                    : ns == owned || ns.StartsWith(owned + ".", StringComparison.Ordinal);
                if (match && owned.Length > bestLength)
                    (best, bestLength) = (i, owned.Length);
            }
        }
        return best;
    }

    public string LayerName(int index) => layers[index].Layer;

    /// <summary>The edges that break the model, each with the reason.</summary>
    public IReadOnlyDictionary<(string From, string To), string> Violations(IEnumerable<(string From, string To)> edges)
    {
        var all = edges.ToList();
        var found = new Dictionary<(string, string), string>();
        foreach (string ns in all.SelectMany(e => new[] { e.From, e.To }).Distinct())
        {
            if (LayerOf(ns) < 0)
                found[(ns, ns)] = $"{ns} is in no layer: place it in the layer model";
        }
        var sideways = new List<(string From, string To)>();
        foreach (var e in all)
        {
            int from = LayerOf(e.From), to = LayerOf(e.To);
            if (from < 0 || to < 0)
                continue;
            if (from < to)
                found[e] = $"{LayerName(from)} uses {LayerName(to)} (a lower layer uses a higher one)";
            else if (from == to)
                sideways.Add(e);
        }
        // Downward edges cannot close a cycle (nothing comes back up once the upward ones are named), so a cycle of
        // the rest lies within one layer: an edge a -> b is on one when b reaches a through sideways edges.
        var next = sideways.ToLookup(e => e.From, e => e.To);
        foreach (var e in sideways)
        {
            if (Reaches(next, e.To, e.From))
                found[e] = $"{e.From} and {e.To} use each other (a folder cycle in the {LayerName(LayerOf(e.From))} layer)";
        }
        return found;
    }

    /// <summary>
    /// What is wrong with <paramref name="edges"/> given the known violations still allowed: violations not on the list,
    /// and list entries that are no longer violations (the list must shrink as they are mended, never hide a fixed one).
    /// </summary>
    public (IReadOnlyList<string> New, IReadOnlyList<string> Stale) Check(
        IEnumerable<(string From, string To)> edges, IReadOnlySet<(string From, string To)> allowed)
    {
        var violations = Violations(edges);
        var fresh = violations.Where(v => !allowed.Contains(v.Key))
            .Select(v => $"{v.Key.From} -> {v.Key.To}: {v.Value}").Order(StringComparer.Ordinal).ToList();
        var stale = allowed.Where(a => !violations.ContainsKey(a))
            .Select(a => $"{a.From} -> {a.To}").Order(StringComparer.Ordinal).ToList();
        return (fresh, stale);
    }

    private static bool Reaches(ILookup<string, string> next, string start, string goal)
    {
        var seen = new HashSet<string> { start };
        var stack = new Stack<string>([start]);
        while (stack.TryPop(out string? ns))
        {
            if (ns == goal)
                return true;
            foreach (string n in next[ns])
            {
                if (seen.Add(n))
                    stack.Push(n);
            }
        }
        return false;
    }
}
