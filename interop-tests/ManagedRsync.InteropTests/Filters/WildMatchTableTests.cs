using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// A wildmatch table in the style of rsync's wildtest.txt, written for ManagedRsync. Every row is checked twice: our
/// <see cref="WildMatch"/> must give the expected answer, and so must stock rsync, asked through a transfer: the file
/// named by the text is excluded by "--include=*/ --exclude=/PATTERN" exactly when wildmatch(PATTERN, text) is true
/// (a leading '/' anchors the rule, so rsync hands the whole path to wildmatch; the "*/" include keeps every directory).
/// rsync compares a pattern without a wildcard literally (backslashes included), so escapes are tested with a wildcard
/// beside them.
/// </summary>
public class WildMatchTableTests
{
    public static TheoryData<string, string, bool> Rows() => new()
    {
        { "foo", "foo", true },
        { "foo", "bar", false },
        { "???", "abc", true },
        { "*", "foo", true },
        { "f*", "foo", true },
        { "*f", "foo", false },
        { "*foo*", "foo", true },
        { "*ob*a*r*", "foobar", true },
        { "*ab", "aaaaaaabababab", true },
        { "a*b*c", "axxbyyc", true },
        { "abc*", "abc", true },
        { @"foo\*", "foo*", true },
        { @"foo\*bar", "foobar", false },
        { @"f\\o?", @"f\oo", true },
        { "*[al]?", "ball", true },
        { "[ten]", "ten", false },
        { "**[!te]", "ten", true },
        { "**[!ten]", "ten", false },
        { "t[a-g]n", "ten", true },
        { "t[!a-g]n", "ten", false },
        { "t[!a-g]n", "ton", true },
        { "t[^a-g]n", "ton", true },
        { "a[]]b", "a]b", true },
        { "a[]-]b", "a-b", true },
        { "a[]-]b", "a]b", true },
        { "a[]-]b", "aab", false },
        { "a[]a-]b", "aab", true },
        { "]]]", "]]]", true },
        { @"\[ab]", "[ab]", true },
        { @"[\]]", "]", true },
        { @"[\\]", @"\", true },
        { "[a-", "a", false },
        { "[[:alpha:]][[:digit:]][[:upper:]]", "a1B", true },
        { "[[:digit:][:upper:][:space:]]", "a", false },
        { "[[:digit:][:upper:][:space:]]", "A", true },
        { "[[:digit:][:upper:][:space:]]", "1", true },
        { "[[:digit:][:upper:][:space:]]", " ", true },
        { "[[:xdigit:]]", "F", true },
        { "[[:xdigit:]]", "G", false },
        { "[a-c[:digit:]x-z]", "5", true },
        { "[a-c[:digit:]x-z]", "b", true },
        { "[a-c[:digit:]x-z]", "q", false },
        { "[[:digi:]]", "1", false },
        { "[[:punct:]]", "!", true },
        { "[[:lower:]]x", "Bx", false },
        { "[[:blank:]]", "\t", true },
        { "foo/bar", "foo/bar", true },
        { "foo*bar", "foo/bar", false },
        { "foo**bar", "foo/baz/bar", true },
        { "foo/*/bar", "foo/bb/aa/bar", false },
        { "foo/**/bar", "foo/bb/aa/bar", true },
        { "foo/**/bar", "foo/bar", false },
        { "foo/**", "foo/x/y", true },
        { "*/bar", "foo/bar", true },
        { "foo?bar", "foo/bar", false },
        { "foo[/]bar", "foo/bar", false },
        { "*.c", "a/b.c", false },
        { "**.c", "a/b.c", true },
        { "a/*/c/*", "a/b/c/d", true },
        { "**/*.c", "a/b.c", true },
        { "-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-m-70-iso8859-1", true },
        { "-*-*-*-*-*-*-12-*-*-*-m-*-*-*", "-adobe-courier-bold-o-normal--12-120-75-75-X-70-iso8859-1", false },
        { "a?c", "a\u00e9c", false },
        { "a??c", "a\u00e9c", true },
        { "*\u00e9*", "caf\u00e9", true },
        { "[\u00e9]", "\u00e9", false },
        { "*[[:alpha:]]", "x\u00e9", false },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task OurMatcherAndStockRsyncAgreeWithTheTable(string pattern, string text, bool expected)
    {
        Assert.Equal(expected, WildMatch.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text)));

        string dir = StockRsyncRunner.CreateTempDirectory("wild");
        try
        {
            string src = Path.Combine(dir, "src");
            StockRsyncRunner.CreateTree(src, [text]);
            ProcessResult rsync = await StockRsyncRunner.RunAsync(
                ["-r", "-n", "--out-format=%n", "--include=*/", "--exclude=/" + pattern, src + "/", Path.Combine(dir, "dst") + "/"]);
            Assert.True(rsync.ExitCode == 0, rsync.ToString());
            bool excludedByRsync = !StockRsyncRunner.ListedNames(rsync.Stdout).Contains(text);
            Assert.Equal(expected, excludedByRsync);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
