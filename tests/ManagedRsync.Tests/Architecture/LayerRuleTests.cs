namespace ManagedRsync.Tests.Architecture;

/// <summary>
/// The layer rule can fail: run over the small, deliberately broken namespaces in Fixture/ (read from this test
/// assembly's own IL), it names each violation, however the use is compiled, and it rejects a stale allow-list.
/// </summary>
public class LayerRuleTests
{
    private const string Root = "ManagedRsync.Tests.Architecture.Fixture";

    private static readonly LayerModel Model = new(Root,
        ("Low", [$"{Root}.Low", $"{Root}.LowLambda", $"{Root}.LowAsync"]),
        ("Mid", [$"{Root}.Mid"]),
        ("High", [$"{Root}.High"]));

    private static readonly Lazy<NamespaceGraph> Graph = new(() =>
        NamespaceGraph.Load(typeof(LayerRuleTests).Assembly.Location, Root));

    [Theory]
    [InlineData("Low")] // a local and a call in a method body
    [InlineData("LowLambda")] // inside a lambda's closure type
    [InlineData("LowAsync")] // inside an async state machine
    public void An_upward_use_in_a_method_body_is_a_violation(string lower)
    {
        var edge = ($"{Root}.{lower}", $"{Root}.High");
        Assert.Contains(edge, Graph.Value.Edges.Keys);
        var violations = Model.Violations(Graph.Value.Edges.Keys);
        Assert.Contains(edge, violations.Keys);
        Assert.Contains("a lower layer uses a higher one", violations[edge]);
    }

    [Fact]
    public void A_downward_use_is_not_a_violation()
    {
        var edge = ($"{Root}.High", $"{Root}.Low");
        Assert.Contains(edge, Graph.Value.Edges.Keys);
        Assert.DoesNotContain(edge, Model.Violations(Graph.Value.Edges.Keys).Keys);
    }

    [Fact]
    public void A_cycle_inside_one_layer_is_a_violation_both_ways()
    {
        var violations = Model.Violations(Graph.Value.Edges.Keys);
        Assert.Contains(($"{Root}.Mid.A", $"{Root}.Mid.B"), violations.Keys);
        Assert.Contains(($"{Root}.Mid.B", $"{Root}.Mid.A"), violations.Keys);
        // One way only is fine: drop one direction and nothing is left to report in Mid.
        var oneWay = Graph.Value.Edges.Keys.Where(e => e != ($"{Root}.Mid.B", $"{Root}.Mid.A"));
        Assert.DoesNotContain(Model.Violations(oneWay).Keys, e => e.From.StartsWith($"{Root}.Mid", StringComparison.Ordinal));
    }

    [Fact]
    public void Exactly_the_violations_are_reported()
    {
        var violations = Model.Violations(Graph.Value.Edges.Keys).Keys.Order().ToArray();
        Assert.Equal(
            new[]
            {
                ($"{Root}.Low", $"{Root}.High"),
                ($"{Root}.LowAsync", $"{Root}.High"),
                ($"{Root}.LowLambda", $"{Root}.High"),
                ($"{Root}.Mid.A", $"{Root}.Mid.B"),
                ($"{Root}.Mid.B", $"{Root}.Mid.A"),
            },
            violations);
    }

    [Fact]
    public void A_namespace_in_no_layer_is_a_violation()
    {
        var violations = Model.Violations([($"{Root}.High", $"{Root}.Unplaced")]);
        Assert.Contains(($"{Root}.Unplaced", $"{Root}.Unplaced"), violations.Keys);
    }

    [Fact]
    public void The_allow_list_hides_only_what_it_names_and_must_shrink()
    {
        var edges = Graph.Value.Edges.Keys;
        var (fresh, stale) = Model.Check(edges, new HashSet<(string, string)>
        {
            ($"{Root}.Low", $"{Root}.High"), // listed and still there: hidden
            ($"{Root}.High", $"{Root}.Low"), // listed but not a violation: stale
        });
        Assert.DoesNotContain(fresh, v => v.StartsWith($"{Root}.Low -> ", StringComparison.Ordinal));
        Assert.Contains(fresh, v => v.StartsWith($"{Root}.LowLambda -> {Root}.High", StringComparison.Ordinal));
        Assert.Equal([$"{Root}.High -> {Root}.Low"], stale);
    }
}
