using ManagedRsync.FileList;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// <see cref="SymlinkSafety.IsUnsafe"/> against rsync 3.5.0's util1.c unsafe_symlink: every row's verdict was taken
/// from the C function compiled as it is (target, link name, 1 = unsafe), including the CVE-2024-12088 forms that
/// hide a ".." after a leading component.
/// </summary>
public sealed class SymlinkSafetyTests
{
    [Theory]
    [InlineData("", "a", true)]
    [InlineData("/etc", "a", true)]
    [InlineData("../x", "link", true)]
    [InlineData("../x", "sub/link", false)]
    [InlineData("dir/../../x", "sub/link", true)]
    [InlineData("../../x", "a/b/link", false)]
    [InlineData("../../../x", "a/b/link", true)]
    [InlineData("x/..", "link", true)]
    [InlineData("..", "sub/link", false)]
    [InlineData("..", "link", true)]
    [InlineData("./../x", "sub/link", true)]
    [InlineData("a//../x", "a/l", true)]
    [InlineData("..//../x", "a/b/l", false)]
    [InlineData("../x", "a/../l", true)]
    [InlineData("a/b/../c", "a/l", true)]
    [InlineData("../a/..", "a/b/l", true)]
    [InlineData(".", "l", false)]
    [InlineData("x", "l", false)]
    public void IsStocksVerdict(string target, string name, bool unsafeLink) =>
        Assert.Equal(unsafeLink, SymlinkSafety.IsUnsafe(System.Text.Encoding.UTF8.GetBytes(target), System.Text.Encoding.UTF8.GetBytes(name)));
}
