using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// The receiver's view for --delete, against stock rsync: with <c>rsync -r -n --delete --out-format=%n RULES src/ dst/</c>
/// rsync names every extraneous destination file it would delete; an extraneous name is deleted exactly when our
/// receiver-side matcher does not exclude (protect) it. Exercises protect/risk, sender-only and receiver-only rules,
/// --delete-excluded and -C.
/// </summary>
public class ReceiverDeletionTests
{
    private static readonly string[] SourceNames = ["a", "keep/k", "sub/x", "docs/readme.txt"];

    private static readonly string[] DestinationNames =
    [
        "a", "extra.o", "extra.c", "extra.txt", "core", "keep/old.o", "keep/old.c", "sub/deep/q", "docs/notes.txt", "docs/old.bak",
    ];

    public static TheoryData<string> RuleSets() => new()
    {
        "",
        "--exclude=*.o",
        "--delete-excluded|--exclude=*.o",
        "--exclude=*.o|--delete-excluded",
        "-f|P *.c",
        "-f|H *.o",
        "-f|R extra.o|--exclude=*.o",
        "-f|-r *.o",
        "-f|-s *.o",
        "-f|-sr *.o",
        "-C",
        "--delete-excluded|-C",
        "--exclude=*.o|--delete-excluded|-f|P keep/",
        "-f|P /docs/*|-f|R *.bak",
        "--delete-excluded|--exclude=*.o|-f|P *.c|-f|-! *.txt",
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public async Task OurReceiverProtectsWhatStockRsyncKeeps(string ruleSet)
    {
        string dir = StockRsyncRunner.CreateTempDirectory("delete");
        try
        {
            string src = Path.Combine(dir, "src"), dst = Path.Combine(dir, "dst");
            StockRsyncRunner.CreateTree(src, SourceNames);
            StockRsyncRunner.CreateTree(dst, DestinationNames);
            string[] args = ruleSet.Length == 0 ? [] : ruleSet.Split('|');
            var env = new Dictionary<string, string?> { ["HOME"] = dir, ["CVSIGNORE"] = "" };
            ProcessResult rsync = await StockRsyncRunner.RunAsync(
                ["-r", "-n", "--delete", "--out-format=%n", .. args, src + "/", dst + "/"], env);
            Assert.True(rsync.ExitCode == 0, rsync.ToString());
            var expected = new SortedSet<string>(
                rsync.Stdout.Split('\n').Where(l => l.StartsWith("deleting ", StringComparison.Ordinal))
                    .Select(l => l["deleting ".Length..].TrimEnd('/')), StringComparer.Ordinal);

            FilterList list = RuleSetSelectionTests.BuildFromArgs(args, dir);
            SortedSet<string> sent = RuleSetSelectionTests.Select(src, list);
            FilterMatcher receiver = list.CreateMatcher(FilterSide.Receiver, new FilterMatcherOptions { LocalRoot = dst });
            var deleted = new SortedSet<string>(StringComparer.Ordinal);
            foreach (string d in sent.Where(n => Directory.Exists(Path.Combine(src, n))).Prepend(""))
            {
                if (Directory.Exists(Path.Combine(dst, d)))
                    CollectDeletions(dst, d, sent, receiver, deleted, insideDeleted: false);
            }
            Assert.Equal(string.Join('\n', expected), string.Join('\n', deleted));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Returns whether everything under <paramref name="relative"/> goes: a directory holding a protected name
    /// stays (rsync delete.c delete_dir_contents: "non-empty directory").</summary>
    private static bool CollectDeletions(string root, string relative, SortedSet<string> sent, FilterMatcher receiver,
        SortedSet<string> deleted, bool insideDeleted)
    {
        bool all = true;
        foreach (string entry in Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)))
        {
            string name = relative.Length == 0 ? Path.GetFileName(entry) : relative + "/" + Path.GetFileName(entry);
            bool isDirectory = Directory.Exists(entry);
            if (!insideDeleted && sent.Contains(name))
                continue;
            if (receiver.IsExcluded(Encoding.UTF8.GetBytes(name), isDirectory)
                || (isDirectory && !CollectDeletions(root, name, sent, receiver, deleted, insideDeleted: true)))
            {
                all = false;
                continue;
            }
            deleted.Add(name);
        }
        return all;
    }
}
