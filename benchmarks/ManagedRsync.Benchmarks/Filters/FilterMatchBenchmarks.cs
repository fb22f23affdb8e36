using System.Text;
using BenchmarkDotNet.Attributes;
using ManagedRsync.Filters;

namespace ManagedRsync.Benchmarks.Filters;

/// <summary>
/// Filter matching throughput: one pass of the sender-side matcher over 100,000 generated transfer-relative names
/// (a source tree's shape: a few levels of directories, mixed extensions), for a typical hand-written rule set and for
/// -C's CVS list (36 built-in patterns and the per-directory .cvsignore rule) plus that set.
/// </summary>
[MemoryDiagnoser]
public class FilterMatchBenchmarks
{
    private const int NameCount = 100_000;
    private static readonly string[] Extensions = ["c", "h", "o", "txt", "log", "tmp", "json", "cs", "bak", "png"];
    private static readonly string[] TopDirs = ["src", "docs", "build", "node_modules", "test", ".git", "lib"];

    private byte[][] _names = [];
    private bool[] _isDirectory = [];
    private FilterMatcher _matcher = null!;

    [Params("typical", "cvs+typical")]
    public string RuleSet { get; set; } = "typical";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _names = new byte[NameCount][];
        _isDirectory = new bool[NameCount];
        for (int i = 0; i < NameCount; i++)
        {
            var path = new StringBuilder(TopDirs[random.Next(TopDirs.Length)]);
            int depth = random.Next(4);
            for (int d = 0; d < depth; d++)
                path.Append("/module").Append(random.Next(40)).Append(d == 1 ? "/cache" : "");
            bool dir = random.Next(10) == 0;
            if (!dir)
                path.Append("/file").Append(i).Append('.').Append(Extensions[random.Next(Extensions.Length)]);
            _names[i] = Encoding.UTF8.GetBytes(path.ToString());
            _isDirectory[i] = dir;
        }
        // Walk order (names of one directory together), as a file-list builder checks them.
        Array.Sort(_names, _isDirectory, Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));

        var builder = new FilterListBuilder(homeDirectory: "", cvsIgnoreVariable: "");
        if (RuleSet.StartsWith("cvs", StringComparison.Ordinal))
            builder.Add(FilterOptionKind.CvsExclude);
        builder.AddExclude("*.o").AddExclude("*.tmp").AddExclude("/build/").AddExclude("node_modules/")
            .AddExclude(".git/").AddFilter("+ src/**/*.c").AddFilter("- **/cache/**").AddExclude("*.log")
            .AddFilter("-! */");
        // No local tree: -C's per-directory .cvsignore lookups find nothing, but the directory tracking is measured.
        _matcher = builder.Build().CreateMatcher(FilterSide.Sender);
    }

    [Benchmark(Description = "Check 100,000 names")]
    public int CheckAll()
    {
        int excluded = 0;
        for (int i = 0; i < _names.Length; i++)
        {
            if (_matcher.IsExcluded(_names[i], _isDirectory[i]))
                excluded++;
        }
        return excluded;
    }
}
