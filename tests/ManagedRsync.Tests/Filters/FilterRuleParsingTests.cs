using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Tests.Filters;

public class FilterRuleParsingTests
{
    private static FilterRule Single(FilterOptionKind kind, string text)
    {
        FilterList list = new FilterListBuilder(homeDirectory: "", cvsIgnoreVariable: "").Add(kind, text).Build();
        return Assert.Single(list.Rules);
    }

    [Theory]
    [InlineData("- *.o", FilterRuleFlags.None, "*.o")]
    [InlineData("+ *.c", FilterRuleFlags.Include, "*.c")]
    [InlineData("exclude *.o", FilterRuleFlags.None, "*.o")]
    [InlineData("include *.c", FilterRuleFlags.Include, "*.c")]
    [InlineData("exclude_*.o", FilterRuleFlags.None, "*.o")]
    [InlineData("-_*.o", FilterRuleFlags.None, "*.o")]
    [InlineData("exclude,/ /abs", FilterRuleFlags.AbsPath, "/abs")]
    [InlineData("-/ /abs", FilterRuleFlags.AbsPath, "/abs")]
    [InlineData("-! */", FilterRuleFlags.Negate | FilterRuleFlags.Directory, "*")]
    [InlineData("H secret", FilterRuleFlags.SenderSide, "secret")]
    [InlineData("hide secret", FilterRuleFlags.SenderSide, "secret")]
    [InlineData("S shown", FilterRuleFlags.SenderSide | FilterRuleFlags.Include, "shown")]
    [InlineData("show shown", FilterRuleFlags.SenderSide | FilterRuleFlags.Include, "shown")]
    [InlineData("P keep", FilterRuleFlags.ReceiverSide, "keep")]
    [InlineData("protect keep", FilterRuleFlags.ReceiverSide, "keep")]
    [InlineData("R gone", FilterRuleFlags.ReceiverSide | FilterRuleFlags.Include, "gone")]
    [InlineData("risk gone", FilterRuleFlags.ReceiverSide | FilterRuleFlags.Include, "gone")]
    [InlineData("-s x", FilterRuleFlags.SenderSide, "x")]
    [InlineData("-r x", FilterRuleFlags.ReceiverSide, "x")]
    [InlineData("-sr x", FilterRuleFlags.Sides, "x")]
    [InlineData("-p x", FilterRuleFlags.Perishable, "x")]
    [InlineData("-x user.*", FilterRuleFlags.Xattr, "user.*")]
    [InlineData(": .rsync-filter", FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile, ".rsync-filter")]
    [InlineData("dir-merge,n- .excl", FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile | FilterRuleFlags.NoInherit | FilterRuleFlags.NoPrefixes, ".excl")]
    [InlineData(":C", FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile | FilterRuleFlags.CvsIgnore | FilterRuleFlags.NoPrefixes | FilterRuleFlags.WordSplit | FilterRuleFlags.NoInherit, ".cvsignore")]
    [InlineData(":w+ .inc", FilterRuleFlags.PerDirMerge | FilterRuleFlags.MergeFile | FilterRuleFlags.WordSplit | FilterRuleFlags.NoPrefixes | FilterRuleFlags.Include, ".inc")]
    public void FilterPrefixesAndModifiers(string text, FilterRuleFlags flags, string pattern)
    {
        FilterRule rule = Single(FilterOptionKind.Filter, text);
        Assert.Equal(flags, rule.Flags & ~(FilterRuleFlags.Wild | FilterRuleFlags.Wild2 | FilterRuleFlags.Wild2Prefix | FilterRuleFlags.Wild3Suffix));
        Assert.Equal(pattern, Encoding.UTF8.GetString(rule.Pattern));
    }

    [Theory]
    [InlineData(FilterOptionKind.Exclude, "- x", false, "x")]
    [InlineData(FilterOptionKind.Exclude, "+ x", true, "x")]
    [InlineData(FilterOptionKind.Include, "- x", false, "x")]
    [InlineData(FilterOptionKind.Include, "x", true, "x")]
    [InlineData(FilterOptionKind.Exclude, "-x", false, "-x")]
    [InlineData(FilterOptionKind.Exclude, "!x", false, "!x")]
    [InlineData(FilterOptionKind.Exclude, "P x", false, "P x")]
    public void IncludeExcludeTakeOnlyOptionalPlusMinusPrefixes(FilterOptionKind kind, string text, bool include, string pattern)
    {
        FilterRule rule = Single(kind, text);
        Assert.Equal(include, rule.IsInclude);
        Assert.Equal(pattern, Encoding.UTF8.GetString(rule.Pattern));
    }

    [Fact]
    public void TrailingSlashMeansDirectoryOnly()
    {
        FilterRule rule = Single(FilterOptionKind.Exclude, "build/");
        Assert.True((rule.Flags & FilterRuleFlags.Directory) != 0);
        Assert.Equal("build", Encoding.UTF8.GetString(rule.Pattern));
        Assert.True(rule.Matches("a/build"u8, isDirectory: true));
        Assert.False(rule.Matches("a/build"u8, isDirectory: false));
    }

    [Fact]
    public void ClearRuleEmptiesTheListSoFar()
    {
        FilterList list = new FilterListBuilder(homeDirectory: "", cvsIgnoreVariable: "")
            .AddExclude("*.o").AddFilter("!").AddExclude("*.c").AddExclude("!").AddInclude("*.h").AddFilter("clear").AddExclude("last").Build();
        FilterRule rule = Assert.Single(list.Rules);
        Assert.Equal("last", Encoding.UTF8.GetString(rule.Pattern));
    }

    [Theory]
    [InlineData("x *.o", "Unknown filter rule: x *.o")]
    [InlineData("excludes *.o", "Unknown filter rule: excludes *.o")]
    [InlineData("-q *.o", "invalid modifier 'q' at position 1 in filter rule: -q *.o")]
    [InlineData("-e x", "invalid modifier 'e' at position 1 in filter rule: -e x")]
    [InlineData(".! file", "invalid modifier '!' at position 1 in filter rule: .! file")]
    [InlineData("Hs x", "invalid modifier 's' at position 1 in filter rule: Hs x")]
    [InlineData("! x", "'!' rule has trailing characters: ! x")]
    [InlineData("-", "unexpected end of filter rule: -")]
    [InlineData("+ ", "unexpected end of filter rule: + ")]
    public void BadRulesAreSyntaxErrorsWithRsyncsMessage(string text, string message)
    {
        var e = Assert.Throws<RsyncException>(() => new FilterListBuilder().AddFilter(text));
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
        Assert.Equal(message, e.Message);
    }

    /// <summary>
    /// exclude.c 3.5.0: rule_text — a bad rule read out of a merge file is named by its file and line (every line
    /// counted, skipped ones too, CRLF once), never its text; a file named inside one is "a file named at" that place,
    /// and one that cannot be opened shows neither its name nor the errno.
    /// </summary>
    [Theory]
    [InlineData("- a\n\n# c\r\nx SECRET\n", ". rules", "Unknown filter rule: <rule from rules line 4>")]
    [InlineData("-E SECRET\n", ". rules", "invalid modifier in filter rule: <rule from rules line 1>")]
    [InlineData("- a\n- \n", "merge rules", "unexpected end of filter rule: <rule from rules line 2>")]
    [InlineData("- a\n. inner\n", ". rules", "Unknown filter rule: <rule from a file named at rules line 2>")]
    [InlineData(". SECRET\n", ". rules", "failed to open exclude file <rule from rules line 1>")]
    public void A_bad_rule_in_a_file_is_named_by_its_place_never_its_text(string text, string rule, string message)
    {
        var files = new Dictionary<string, byte[]> { ["rules"] = Encoding.UTF8.GetBytes(text), ["inner"] = "- b\n?SECRET\n"u8.ToArray() };
        var e = Assert.Throws<RsyncException>(() => new FilterListBuilder(readFile: p => files.TryGetValue(p, out byte[]? b) ? b : throw new FileNotFoundException("No such file", p))
            .AddFilter(rule));
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain("SECRET", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExcludeFromFileSkipsCommentsAndBlankLinesAndToleratesCrLf()
    {
        byte[] file = "# comment\r\n; also\r\n\r\n*.o\r\n+ keep/\r\n- *.bak\rlast"u8.ToArray();
        FilterList list = new FilterListBuilder(readFile: _ => file).Add(FilterOptionKind.ExcludeFrom, "rules.txt").Build();
        Assert.Equal(["*.o", "keep", "*.bak", "last"], list.Rules.Select(r => Encoding.UTF8.GetString(r.Pattern)));
        Assert.Equal([false, true, false, false], list.Rules.Select(r => r.IsInclude));
    }

    [Fact]
    public void IncludeFromStdinWithFrom0()
    {
        byte[] stdin = "a\nb\0#c\0\0d"u8.ToArray();
        FilterList list = new FilterListBuilder(readStdin: () => stdin)
            .Add(FilterOptionKind.From0).Add(FilterOptionKind.IncludeFrom, "-").Build();
        Assert.Equal(["a\nb", "d"], list.Rules.Select(r => Encoding.UTF8.GetString(r.Pattern)));
        Assert.All(list.Rules, r => Assert.True(r.IsInclude));
    }

    [Fact]
    public void UnreadableRuleFileIsAFileIoError()
    {
        var e = Assert.Throws<RsyncException>(() => new FilterListBuilder(readFile: p => throw new FileNotFoundException("No such file", p))
            .Add(FilterOptionKind.ExcludeFrom, "/nonexistent/rules"));
        Assert.Equal(RsyncExitCode.FileIo, e.ExitCode);
        Assert.StartsWith("failed to open exclude file /nonexistent/rules", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeFileIsReadInPlaceAndExcludeSelfAddsItsName()
    {
        var files = new Dictionary<string, byte[]> { ["dir/more.rules"] = "- *.tmp\n+ *.c\n"u8.ToArray() };
        FilterList list = new FilterListBuilder(readFile: p => files[p])
            .AddExclude("first").AddFilter(".e dir/more.rules").AddExclude("last").Build();
        Assert.Equal(["first", "more.rules", "*.tmp", "*.c", "last"], list.Rules.Select(r => Encoding.UTF8.GetString(r.Pattern)));
    }

    [Fact]
    public void MergeFilesNestedTooDeeplyAreRefused()
    {
        var e = Assert.Throws<RsyncException>(() => new FilterListBuilder(readFile: _ => ". self\n"u8.ToArray()).AddFilter(". self"));
        Assert.Equal(RsyncExitCode.FileIo, e.ExitCode);
        Assert.Contains("depth limit", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeleteExcludedMakesLaterPlainRulesSenderSide()
    {
        FilterList list = new FilterListBuilder().AddExclude("before").Add(FilterOptionKind.DeleteExcluded).AddExclude("after").AddFilter("P kept").Build();
        Assert.Equal(FilterRuleFlags.None, list.Rules[0].Flags & FilterRuleFlags.Sides);
        Assert.Equal(FilterRuleFlags.SenderSide, list.Rules[1].Flags & FilterRuleFlags.Sides);
        Assert.Equal(FilterRuleFlags.ReceiverSide, list.Rules[2].Flags & FilterRuleFlags.Sides);
        Assert.True(list.DeleteExcluded);
    }

    [Fact]
    public void FilterShortcutTwiceAddsPerDirectoryMergeThenExcludesTheFiles()
    {
        FilterList list = new FilterListBuilder().Add(FilterOptionKind.FilterShortcut).Add(FilterOptionKind.FilterShortcut).Build();
        Assert.Equal([": /.rsync-filter", "- .rsync-filter"], list.Rules.Select(r => r.ToString()));
    }
}

public class FilterMatcherTests
{
    [Fact]
    public void FirstMatchWinsAndStringNamesMatchLikeBytes()
    {
        FilterMatcher m = new FilterListBuilder().AddInclude("keep/**").AddExclude("*.o").Build().CreateMatcher(FilterSide.Sender);
        Assert.False(m.IsExcluded("keep/a.o", isDirectory: false));
        Assert.True(m.IsExcluded("src/a.o", isDirectory: false));
        Assert.True(m.IsExcluded("src/a.o"u8, isDirectory: false));
        Assert.Equal(FilterResult.Included, m.Check("keep/x"u8, isDirectory: false));
        Assert.Equal(FilterResult.NoMatch, m.Check("x.c"u8, isDirectory: false));
        Assert.True(m.IsExcluded(new string('d', 300) + "/\u00e9\u00e9" + new string('x', 400) + ".o", isDirectory: false));
    }

    [Fact]
    public void SidesDecideWhoUsesARule()
    {
        FilterList list = new FilterListBuilder().AddFilter("H hidden").AddFilter("P kept").AddExclude("both").Build();
        FilterMatcher sender = list.CreateMatcher(FilterSide.Sender), receiver = list.CreateMatcher(FilterSide.Receiver);
        Assert.True(sender.IsExcluded("hidden"u8, false));
        Assert.False(receiver.IsExcluded("hidden"u8, false));
        Assert.False(sender.IsExcluded("kept"u8, false));
        Assert.True(receiver.IsExcluded("kept"u8, false));
        Assert.True(sender.IsExcluded("both"u8, false) && receiver.IsExcluded("both"u8, false));
    }

    [Fact]
    public void PerDirectoryMergeFilesAreReadAsNamesInNewDirectoriesAreChecked()
    {
        var files = new Dictionary<string, byte[]>
        {
            ["/r/.rules"] = "- *.tmp\n"u8.ToArray(),
            ["/r/a/.rules"] = "+ keep.tmp\n- /local\n"u8.ToArray(),
        };
        FilterMatcher m = new FilterListBuilder().AddFilter(": .rules").Build().CreateMatcher(FilterSide.Sender,
            new FilterMatcherOptions { LocalRoot = "/r", ReadFile = p => files.GetValueOrDefault(p) });
        Assert.True(m.IsExcluded("x.tmp"u8, false));
        Assert.False(m.IsExcluded("a/keep.tmp"u8, false));    // a's own rule comes first
        Assert.True(m.IsExcluded("a/b/other.tmp"u8, false));  // inherited from the root
        Assert.True(m.IsExcluded("a/local"u8, false));        // anchored at a/
        Assert.False(m.IsExcluded("local"u8, false));
        Assert.True(m.IsExcluded("b/keep.tmp"u8, false));     // a's rules are gone outside a/
    }

    [Fact]
    public void FromOptionsKeepsCommandLineOrder()
    {
        var options = new RsyncOptions { DeleteExcluded = true };
        options.Filters.Add(new FilterArgument(FilterOptionKind.Include, "*.c"));
        options.Filters.Add(new FilterArgument(FilterOptionKind.Exclude, "*"));
        FilterList list = options.BuildFilterList();
        Assert.Equal(["+s *.c", "-s *"], list.Rules.Select(r => r.ToString()));
        Assert.True(list.DeleteExcluded);
    }
}
