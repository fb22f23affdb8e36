using System.Text;
using ManagedRsync.Filters;

namespace ManagedRsync.Tests.Filters;

public class FilesFromTests
{
    private static string[] Names(List<byte[]> names) => names.Select(n => Encoding.UTF8.GetString(n)).ToArray();

    [Fact]
    public void NewlineListSkipsBlanksAndCommentsAndToleratesCrLf()
    {
        Assert.Equal(["a/b", "c d", "e"], Names(FilesFrom.Parse("a/b\r\n\r\n# note\n; note\nc d\ne"u8, from0: false)));
    }

    [Fact]
    public void From0ListKeepsNewlinesInNames()
    {
        Assert.Equal(["line\nbreak", "x"], Names(FilesFrom.Parse("line\nbreak\0\0x\0"u8, from0: true)));
    }

    [Fact]
    public void ListFromThePeerEndsAtTheFirstEmptyName()
    {
        Assert.Equal(["a"], Names(FilesFrom.Parse("a\0\0b\0"u8, from0: true, isLocalFile: false)));
    }

    [Theory]
    [InlineData("/etc/passwd", true, "etc/passwd")]
    [InlineData("a//b/", true, "a/b/")]
    [InlineData("../../x", true, "x")]
    [InlineData("a/../../b", true, "b")]
    [InlineData("a/b/../c", true, "a/c")]
    [InlineData("src/./lib/x", true, "src/./lib/x")]
    [InlineData("src/./lib/x", false, "src/lib/x")]
    [InlineData("./a", false, "a")]
    [InlineData("..", true, ".")]
    [InlineData("", true, ".")]
    public void NamesAreSanitizedToStayInsideTheRoot(string input, bool relative, string expected)
    {
        Assert.Equal(expected, Encoding.UTF8.GetString(FilesFrom.Sanitize(Encoding.UTF8.GetBytes(input), relative)));
    }

    [Theory]
    [InlineData("a/b/c", new[] { "a", "a/b" })]
    [InlineData("x/./a/b", new[] { "a" })]
    [InlineData("file", new string[0])]
    public void RelativeModeImpliesTheParentDirectories(string name, string[] expected)
    {
        Assert.Equal(expected, Names(FilesFrom.GetImpliedDirectories(Encoding.UTF8.GetBytes(name))));
    }
}
