using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// Golden behaviour from stock rsync: for one tree and a table of rule sets, the names stock rsync puts in the file list
/// (<c>rsync -r -n --out-format=%n RULES src/ dst/</c>) must be exactly the names our sender-side matcher selects when
/// walking the same tree (an excluded directory is not entered; the matcher reads per-directory merge files by itself).
/// </summary>
public class RuleSetSelectionTests
{
    private static readonly string[] TreeNames =
    [
        "a.o", "b.c", "core", "tmp~", "tags", "main.o", "x/tags", "keep/x.o", "keep/y.c",
        "src/main.c", "src/main.o", "src/lib/util.c", "src/lib/util.o", "src/lib/deep/z.txt",
        "build/out.bin", "build/obj/a.o", "docs/readme.txt", "docs/old/readme.bak", "docs/old/notes.txt",
        ".git/config", "CVS/Entries", "sp ace/f i.txt", "-dash", "dir.o/inner.c", "\u00e9/\u00fc.c", "[ab]",
        "back\\slash.c", "Upper.txt", "empty/",
    ];

    private static readonly Dictionary<string, string> Contents = new()
    {
        ["docs/.cvsignore"] = "*.txt\n",
        [".rsync-filter"] = "- *.bak\n- /build/obj/\n",
        ["src/.rsync-filter"] = "# per-directory rules for src\n- /main.o\n+ util.o\n- *.o\n",
    };

    private const string ExcludeFromText = "# comment\r\n; another\r\n\r\n*.o\r\n+ keep/**\r\n- *.bak\r\n";
    private const string MergeFileText = "- *.o\n+ *.c\n- /docs/\n";

    public static TheoryData<string> RuleSets() => new()
    {
        "--exclude=*.o",
        "--exclude=/build",
        "--exclude=build/",
        "--exclude=lib/*.o",
        "--include=*/|--include=*.c|--exclude=*",
        "--include=src/***|--exclude=*",
        "--exclude=**/deep",
        "--exclude=deep/**",
        "-C",
        "-f|- *.bak|-f|+ docs/***|-f|- *",
        "-f|-! */",
        "--exclude=*.[oc]",
        "--include=keep/**|--exclude=*.o",
        "-f|S src/main.c|-f|H *.c",
        "-f|P *.o",
        "--exclude=/src/lib/",
        "--exclude=*.o|-f|!|--exclude=*.c",
        "--exclude-from=@EXCLUDE_FROM",
        "-F",
        "-F|-F",
        "--exclude=?ore|--exclude=[[:upper:]]*",
        "--delete-excluded|--exclude=*.o",
        "-f|exclude_*.bak|-f|hide core|-f|include,! */|-f|exclude *",
        "--exclude=sp ace/|--exclude=-dash",
        "-f|:- .cvsignore",
        "-f|:-n .cvsignore",
        "--exclude=back\\slash.c",
        "--exclude=*.c|--include=src/main.c",
        "-f|merge @MERGE_FILE",
        "-f|+ /src/|-f|+ /src/*|-f|- *",
        "-f|- \u00e9/|-f|-p *.bak|-f|-s tags",
    };

    [Theory]
    [MemberData(nameof(RuleSets))]
    public async Task OurSenderSelectsWhatStockRsyncSends(string ruleSet)
    {
        string dir = StockRsyncRunner.CreateTempDirectory("rules");
        try
        {
            string src = Path.Combine(dir, "src");
            StockRsyncRunner.CreateTree(src, TreeNames);
            foreach (KeyValuePair<string, string> kv in Contents)
                File.WriteAllText(Path.Combine(src, kv.Key), kv.Value);
            string excludeFrom = Path.Combine(dir, "exclude-from.txt");
            File.WriteAllText(excludeFrom, ExcludeFromText);
            string mergeFile = Path.Combine(dir, "merge.rules");
            File.WriteAllText(mergeFile, MergeFileText);

            string[] args = ruleSet.Replace("@EXCLUDE_FROM", excludeFrom).Replace("@MERGE_FILE", mergeFile).Split('|');
            var env = new Dictionary<string, string?> { ["HOME"] = dir, ["CVSIGNORE"] = "" };
            ProcessResult rsync = await StockRsyncRunner.RunAsync(
                ["-r", "-n", "--out-format=%n", .. args, src + "/", Path.Combine(dir, "dst") + "/"], env);
            Assert.True(rsync.ExitCode == 0, rsync.ToString());
            SortedSet<string> expected = StockRsyncRunner.ListedNames(rsync.Stdout);

            FilterList list = BuildFromArgs(args, dir);
            SortedSet<string> actual = Select(src, list);
            Assert.Equal(string.Join('\n', expected), string.Join('\n', actual));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    internal static FilterList BuildFromArgs(string[] args, string home)
    {
        var builder = new FilterListBuilder(homeDirectory: home, cvsIgnoreVariable: "");
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "-f")
                builder.Add(FilterOptionKind.Filter, args[++i]);
            else if (a == "-C")
                builder.Add(FilterOptionKind.CvsExclude);
            else if (a == "-F")
                builder.Add(FilterOptionKind.FilterShortcut);
            else if (a == "--delete-excluded")
                builder.Add(FilterOptionKind.DeleteExcluded);
            else if (a.StartsWith("--exclude=", StringComparison.Ordinal))
                builder.Add(FilterOptionKind.Exclude, a["--exclude=".Length..]);
            else if (a.StartsWith("--include=", StringComparison.Ordinal))
                builder.Add(FilterOptionKind.Include, a["--include=".Length..]);
            else if (a.StartsWith("--exclude-from=", StringComparison.Ordinal))
                builder.Add(FilterOptionKind.ExcludeFrom, a["--exclude-from=".Length..]);
            else
                throw new ArgumentException("test table uses an option the test does not map: " + a);
        }
        return builder.Build();
    }

    internal static SortedSet<string> Select(string root, FilterList list)
    {
        FilterMatcher matcher = list.CreateMatcher(FilterSide.Sender, new FilterMatcherOptions { LocalRoot = root });
        var selected = new SortedSet<string>(StringComparer.Ordinal);
        Walk(root, "", matcher, selected);
        return selected;
    }

    private static void Walk(string root, string relative, FilterMatcher matcher, SortedSet<string> selected)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(Path.Combine(root, relative)))
        {
            string name = relative.Length == 0 ? Path.GetFileName(entry) : relative + "/" + Path.GetFileName(entry);
            bool isDirectory = Directory.Exists(entry);
            if (matcher.IsExcluded(Encoding.UTF8.GetBytes(name), isDirectory))
                continue;
            selected.Add(name);
            if (isDirectory)
                Walk(root, name, matcher, selected);
        }
    }
}
