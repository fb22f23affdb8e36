using CsCheck;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// Our sender-side filter matcher against stock rsync on random trees and random rule lists (CsCheck, shrinking a
/// disagreement to the smallest tree and rule list): for each sample stock rsync is run on the tree
/// (<c>rsync -r -n --out-format=%n RULES src/ dst/</c>) and the names it lists must be exactly the names our matcher
/// selects (<see cref="RuleSetSelectionTests"/> holds the fixed table; this explores around it).
/// </summary>
public sealed class FilterSelectionPropertyTests
{
    private static readonly string[] Components = ["a", "b", "c.o", "d.c", "x~", "A", "deep"];

    // Patterns built from the pieces rsync's wildmatch and anchoring treat specially (exclude.c: parse_filter_str,
    // wildmatch.c): leading '/', trailing '/', '*', '**', '***', '?', classes, and plain names of the tree.
    private static readonly Gen<string> Pattern =
        Gen.Select(Gen.OneOf("", "/", "**/", "*/"), Gen.OneOf([.. Components, "*", "*.o", "*.c", "?", "[ab]", "[!a]*", "[[:upper:]]*", "**", "d*"]),
                Gen.OneOf("", "", "/", "/*", "/**", "/***", "*"))
            .Select((head, body, tail) => head + body + tail);

    private static readonly Gen<string[]> Rules =
        Gen.Select(Gen.OneOf("--exclude=", "--include="), Pattern).Select((kind, pattern) => kind + pattern).Array[1, 4];

    private static readonly Gen<string[]> Trees =
        Gen.OneOf(Components).Array[1, 3].Select(parts => string.Join('/', parts)).Array[1, 12];

    [Fact]
    public void OurMatcherSelectsWhatStockRsyncSends() =>
        Gen.Select(Trees, Rules).Sample((tree, rules) =>
        {
            string dir = StockRsyncRunner.CreateTempDirectory("filter-prop");
            try
            {
                string src = Path.Combine(dir, "src");
                Directory.CreateDirectory(src);
                foreach (string path in tree)
                {
                    // A name that is already a file cannot also be a directory: skip what clashes.
                    string full = Path.Combine(src, path);
                    try
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                        if (!Directory.Exists(full))
                            File.WriteAllText(full, path);
                    }
                    catch (IOException)
                    {
                    }
                }
                var env = new Dictionary<string, string?> { ["HOME"] = dir, ["CVSIGNORE"] = "" };
                ProcessResult rsync = StockRsyncRunner.RunAsync(
                    ["-r", "-n", "--out-format=%n", .. rules, src + "/", Path.Combine(dir, "dst") + "/"], env).GetAwaiter().GetResult();
                Assert.True(rsync.ExitCode == 0, rsync.ToString());
                SortedSet<string> expected = StockRsyncRunner.ListedNames(rsync.Stdout);
                SortedSet<string> actual = RuleSetSelectionTests.Select(src, RuleSetSelectionTests.BuildFromArgs(rules, dir));
                Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }, iter: 150, threads: 1, print: sample => $"rules {string.Join(' ', sample.Item2)} on tree {string.Join(' ', sample.Item1)}");
}
