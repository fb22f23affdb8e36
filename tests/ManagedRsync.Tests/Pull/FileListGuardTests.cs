using System.Text;
using ManagedRsync.Destination;
using ManagedRsync.FileList;

namespace ManagedRsync.Tests.Pull;

public class FileListGuardTests
{
    // Captured from stock rsync 3.5.0: a tree with these entries listed by
    // `rsync -r --no-inc-recursive --list-only .` prints them in exactly this order (flist.c: f_name_cmp, protocol 32).
    private static readonly (string Name, bool IsDirectory)[] StockRsyncOrder =
    [
        (".", true), ("A", false), ("B.dir", false), ("a.txt", false), ("a0", false), ("ab", false),
        ("B.dir2", true), ("a b", true), ("a b/z", false), ("a-b", true), ("a.b", true), ("a.b/h", false),
        ("a", true), ("a/f", false), ("a/x.y", false), ("a/x.z", true), ("a/x.z/q", false), ("a/x", true),
        ("a/x/g", false), ("b", true), ("b/c", true), ("b/c/file", false), ("b/c/d", true), ("b/c/d/e", false),
    ];

    public static TheoryData<string> LastNames() =>
    [
        "f", "x.y", ".hidden", "..x", "a b", "é", ".", "..", "\0", "a\0b", new string('c', 255), new string('c', 256),
        new string('é', 127), new string('é', 128), "Ω" + new string('d', 300),
    ];

    // An incremental part's entry is checked from its last name on (FileListGuard.CheckLastName, the directory having
    // passed already): it must throw exactly what the whole check throws, or nothing when that throws nothing, also
    // where the whole name is too long.
    [Theory]
    [MemberData(nameof(LastNames))]
    public void The_last_name_check_says_what_the_whole_check_says(string last)
    {
        foreach (string directory in new[] { "d", "top/sub", new string('p', 250) + "/" + new string('q', 250) + "/" + new string('r', 250) + "/" + new string('s', 250) + "/" + new string('t', 250) + "/" + new string('u', 250) + "/" + new string('v', 250) + "/" + new string('w', 250) + "/" + new string('x', 250) + "/" + new string('y', 250) + "/" + new string('z', 250) + "/" + new string('o', 250) + "/" + new string('n', 250) + "/" + new string('m', 250) + "/" + new string('l', 250) + "/" + new string('k', 100) })
        {
            FileListGuard.CheckName(directory, isDirectory: true);
            string name = directory + "/" + last;
            foreach (bool isDirectory in new[] { false, true })
            {
                string? whole = Message(() => FileListGuard.CheckName(name, isDirectory));
                string? lastOnly = Message(() => FileListGuard.CheckLastName(name, directory.Length + 1, isDirectory));
                Assert.Equal(whole, lastOnly);
            }
        }

        static string? Message(Action check)
        {
            try
            {
                check();
                return null;
            }
            catch (RsyncException e)
            {
                return $"{e.Kind}: {e.Message}";
            }
        }
    }

    [Fact]
    public void AcceptsAnyArrivalOrder()
    {
        var guard = new FileListGuard(RequestedNames.All);
        foreach (var (name, isDirectory) in StockRsyncOrder.Reverse())
            guard.Accept(name, isDirectory);
    }

    [Fact]
    public void AcceptsStockRsyncSortOrder()
    {
        var guard = new FileListGuard(RequestedNames.All);
        foreach (var (name, isDirectory) in StockRsyncOrder)
            guard.Accept(name, isDirectory);
    }

    [Fact]
    public void ComparerReproducesStockRsyncOrderFromShuffledInput()
    {
        var shuffled = StockRsyncOrder.Reverse().ToList();
        shuffled.Sort((x, y) => FileListOrder.Compare(
            Encoding.UTF8.GetBytes(x.Name), x.IsDirectory, Encoding.UTF8.GetBytes(y.Name), y.IsDirectory, 32));
        Assert.Equal(StockRsyncOrder, shuffled);
    }

    [Fact]
    public void BeforeProtocol29NamesCompareAsByteStrings()
    {
        Assert.True(FileListOrder.Compare("a"u8, true, "a.txt"u8, false, 28) < 0);
        Assert.True(FileListOrder.Compare("a"u8, true, "a.txt"u8, false, 29) > 0);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/../../escape")]
    [InlineData("a/..")]
    [InlineData("/etc/passwd")]
    [InlineData("a//b")]
    [InlineData("./a")]
    [InlineData("a/.")]
    [InlineData("a/")]
    [InlineData("")]
    [InlineData("a\0b")]
    public void RejectsUnsafeNamesWithRsyncsExitCode(string name)
    {
        var guard = new FileListGuard(RequestedNames.All);
        var e = Assert.Throws<RsyncException>(() => guard.Accept(name, isDirectory: false));
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
        Assert.Equal(RsyncErrorKind.UnsafeFileList, e.Kind);
    }

    [Fact]
    public void RejectsOverlongNameAndComponent()
    {
        var guard = new FileListGuard(RequestedNames.All);
        Assert.Throws<RsyncException>(() => guard.Accept(new string('x', 256), false));
        string longPath = string.Join('/', Enumerable.Repeat(new string('y', 200), 21));
        Assert.Throws<RsyncException>(() => guard.Accept(longPath, false));
    }

    [Fact]
    public void RejectsNonDirectoryTransferRootWithProtocolExitCode()
    {
        var guard = new FileListGuard(RequestedNames.All);
        var e = Assert.Throws<RsyncException>(() => guard.Accept(".", isDirectory: false));
        Assert.Equal(RsyncExitCode.Protocol, e.ExitCode);
    }

    [Fact]
    public void RejectsEntryBelowASymlink()
    {
        var guard = new FileListGuard(RequestedNames.All);
        guard.Accept(".", true);
        guard.Accept("d", false); // the symlink d -> /outside
        var e = Assert.Throws<RsyncException>(() => guard.Accept("d/file", false));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("file-list name \"d/file\" lies below \"d\", which is not a directory", e.Message);
    }

    // The ancestors are walked once per directory (a name in the directory of the one before skips the walk): what
    // the walk would refuse is still refused, from a sibling's list or from one deeper.
    [Fact]
    public void NamesInOneDirectoryAreCheckedAsEachAlone()
    {
        var guard = new FileListGuard(RequestedNames.All);
        guard.Accept("p/a", false);
        guard.Accept("p/b", false);
        guard.Accept("p/c", true);
        guard.Accept("p/c/x", false);
        guard.Accept("p/c/y", false);
        var below = Assert.Throws<RsyncException>(() => guard.Accept("p/b/z", false));
        Assert.Equal("file-list name \"p/b/z\" lies below \"p/b\", which is not a directory", below.Message);
        guard.Accept("p/d", false);
        var implied = Assert.Throws<RsyncException>(() => guard.Accept("p/c", false));
        Assert.Equal("file-list entry \"p/c\" is not a directory but has entries below it", implied.Message);
        guard.Accept("q/r/s", false);
        guard.Accept("q/t", false);
        var deeper = Assert.Throws<RsyncException>(() => guard.Accept("q/t/u/v", false));
        Assert.Equal("file-list name \"q/t/u/v\" lies below \"q/t\", which is not a directory", deeper.Message);
    }

    [Fact]
    public void RejectsSymlinkArrivingAfterEntriesBelowIt()
    {
        var guard = new FileListGuard(RequestedNames.All);
        guard.Accept("d/file", false);
        var e = Assert.Throws<RsyncException>(() => guard.Accept("d", false));
        Assert.Equal(RsyncExitCode.StreamIo, e.ExitCode);
        Assert.Equal("file-list entry \"d\" is not a directory but has entries below it", e.Message);
    }

    [Fact]
    public void A_non_directory_of_a_part_without_a_name_twice_is_checked_but_not_held()
    {
        var guard = new FileListGuard(RequestedNames.All);
        guard.Accept(".", isDirectory: true);
        guard.Accept("sub", isDirectory: true);
        guard.Accept("sub/f", isDirectory: false, nameChecked: true, soleList: true);
        guard.Accept("sub/d", isDirectory: true, nameChecked: true, soleList: true);
        Assert.Equal(3, guard.HeldCount);
        // Its ancestors are still checked: a part in a directory below a listed non-directory is refused.
        guard.Accept("g", isDirectory: false);
        Assert.Throws<RsyncException>(() => guard.Accept("g/x", isDirectory: false, nameChecked: true, soleList: true));
    }

    [Fact]
    public void ADuplicateIsLetThroughToBeCleared()
    {
        // flist.c: flist_sort_and_clean — a receiver clears the copy after sorting and refuses only its use.
        var guard = new FileListGuard(RequestedNames.All);
        guard.Accept("d", true);
        guard.Accept("f", false);
        Assert.Null(guard.TakeDuplicates());
        guard.Accept("d", true);
        guard.Accept("f", false);
        Assert.Equal(["d", "f"], guard.TakeDuplicates());
        Assert.Null(guard.TakeDuplicates());
        // What came first decides the ancestor checks: "f" is still no directory.
        var e = Assert.Throws<RsyncException>(() => guard.Accept("f/x", false));
        Assert.Equal("file-list name \"f/x\" lies below \"f\", which is not a directory", e.Message);
    }

    [Fact]
    public void RejectsUnrequestedTopLevelName()
    {
        var guard = new FileListGuard(RequestedNames.FromSources(["backup/home"], relativePaths: false));
        guard.Accept("home", true);
        guard.Accept("home/user", false);
        var e = Assert.Throws<RsyncException>(() => guard.Accept("homer", false));
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
        Assert.Contains("unrequested", e.Message);
    }

    [Fact]
    public void RequestedNamesFollowRsyncArgumentRules()
    {
        Assert.True(RequestedNames.FromSources(["dir/"], false).Allows("anything", false));
        Assert.True(RequestedNames.FromSources([""], false).Allows("anything", false));
        var relative = RequestedNames.FromSources(["x/./a/b"], relativePaths: true);
        Assert.True(relative.Allows("a", true));
        Assert.False(relative.Allows("a", false));
        Assert.True(relative.Allows("a/b/c", false));
        Assert.False(relative.Allows("a/c", false));
    }

    // exclude.c: is_implied_parent_dir — "." and a --relative source's leading directories were not asked for.
    [Fact]
    public void ParentsOfRequestedNamesAreImpliedOnly()
    {
        var single = RequestedNames.FromSources(["mod-dir/requested"], relativePaths: false);
        Assert.True(single.IsImpliedParentOnly("."));
        Assert.False(single.IsImpliedParentOnly("requested"));
        var relative = RequestedNames.FromSources(["x/./a/b", "x/./c"], relativePaths: true);
        Assert.True(relative.IsImpliedParentOnly("a"));
        Assert.False(relative.IsImpliedParentOnly("a/b"));
        Assert.False(relative.IsImpliedParentOnly("c"));
        var both = RequestedNames.FromSources(["x/./a/b", "x/./a"], relativePaths: true);
        Assert.False(both.IsImpliedParentOnly("a"));
        Assert.False(RequestedNames.FromSources(["dir/"], false).IsImpliedParentOnly("."));
        Assert.False(RequestedNames.All.IsImpliedParentOnly("."));
    }

    [Fact]
    public void RejectsBadSymlinkTargets()
    {
        Assert.Throws<RsyncException>(() => FileListGuard.CheckSymlinkTarget("l", ""));
        Assert.Throws<RsyncException>(() => FileListGuard.CheckSymlinkTarget("l", new string('t', 5000)));
        FileListGuard.CheckSymlinkTarget("l", "/outside/is/fine/as/a/stored/target");
    }
}
