using System.Buffers;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Protocol;
using ManagedRsync.Roles.Sender;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Push;

/// <summary>
/// The sender's incremental file lists (protocol-notes §25; flist.c: send_file_list / send_extra_file_list /
/// add_dirs_to_tree, rsync.c: flist_for_ndx, sender.c: send_files): numbering with a slot for each list's directory,
/// the depth-first walk over the directory table, freeing on NDX_DONE, and the errors for indexes no live list holds.
/// </summary>
public class SentListsTests
{
    private static FileEntry Dir(string name) => new() { Name = Encoding.UTF8.GetBytes(name), Mode = FileEntry.S_IFDIR | 0x1ED };

    private static FileEntry File(string name) => new() { Name = Encoding.UTF8.GetBytes(name), Mode = FileEntry.S_IFREG | 0x1A4 };

    // ./ a b/ c/ with b/ holding b/x and b/y/, b/y holding b/y/z, c/ holding c/w.
    private static SentLists Tree(out List<string> order)
    {
        var lists = new SentLists();
        lists.AddFirst([Dir("."), File("a"), Dir("b"), Dir("c")]);
        order = [];
        var contents = new Dictionary<string, List<FileEntry>>
        {
            ["b"] = [File("b/x"), Dir("b/y")],
            ["b/y"] = [File("b/y/z")],
            ["c"] = [File("c/w")],
        };
        while (!lists.Complete)
        {
            string name = lists.NextDirectory!.LocalName;
            order.Add($"{name}@{lists.NextDirectoryIndex}");
            lists.AddNext(contents[name]);
        }
        return lists;
    }

    [Fact]
    public void DirectoriesAreListedDepthFirstAndNamedByTheirPlaceInTheTable()
    {
        Tree(out List<string> order);
        // dir_flist: 0 ".", 1 "b", 2 "c", then b's list adds 3 "b/y"; "." itself never gets a list.
        Assert.Equal(["b@1", "b/y@3", "c@2"], order);
    }

    [Fact]
    public void EachListStartsOneIndexAfterThePreviousForItsDirectory()
    {
        SentLists lists = Tree(out _);
        // first: 1..4 (0 is "."), b: slot 5, 6..7; b/y: slot 8, 9; c: slot 10, 11.
        Assert.Equal(12, lists.Count);
        Assert.Equal(".", lists[0].LocalName);
        Assert.Equal("c", lists[4].LocalName);
        Assert.Equal("b", lists[5].LocalName);
        Assert.Equal("b/y", lists[7].LocalName);
        Assert.Equal("b/y", lists[8].LocalName);
        Assert.Equal("b/y/z", lists[9].LocalName);
        Assert.Equal("c", lists[10].LocalName);
        Assert.Equal("c/w", lists[11].LocalName);
        Assert.Equal(8, lists.FileTotal);
    }

    [Fact]
    public void AFirstListWithoutDotHasNoDirectorySlot()
    {
        var lists = new SentLists();
        lists.AddFirst([Dir("src")]);
        Assert.False(lists.Complete);
        var e = Assert.Throws<RsyncException>(() => lists.Resolve(0));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Equal("src", lists.Resolve(1).LocalName);
    }

    [Fact]
    public void AFirstListWithoutDirectoriesIsTheLast()
    {
        var lists = new SentLists();
        lists.AddFirst([Dir("."), File("a")]);
        Assert.True(lists.Complete);
        Assert.Null(lists.NextDirectory);
    }

    [Fact]
    public void DoneFreesTheOldestListAndItsIndexesAreRefused()
    {
        SentLists lists = Tree(out _);
        Assert.Equal("b/x", lists.Resolve(6).LocalName);
        Assert.Equal(6, lists.OldTotal); // the first list and b's
        Assert.True(lists.DropOldest());
        Assert.Equal(4, lists.FileTotal);
        var e = Assert.Throws<RsyncException>(() => lists.Resolve(3));
        Assert.Equal("File-list index 3 not in 5 - 11", e.Message);
        Assert.True(lists.DropOldest()); // b's, the current list: the next becomes the current
        Assert.Equal(1, lists.OldTotal);
        Assert.True(lists.DropOldest());
        Assert.False(lists.DropOldest()); // the last: the phase ends
        Assert.False(lists.AnyLive);
        Assert.Throws<RsyncException>(() => lists.Resolve(11));
    }

    [Fact]
    public void ADroppedListsDirectoryEntryIsNotHeld()
    {
        SentLists lists = Tree(out _);
        Assert.Equal(4, lists.HeldDirectoryEntries); // ".", b, c, b/y
        Assert.True(lists.DropOldest()); // the first list: "." goes (it stood for its slot 0)
        Assert.Equal(3, lists.HeldDirectoryEntries);
        Assert.Equal("b", lists.Resolve(5).LocalName); // b's list is live: its slot still names b
        Assert.True(lists.DropOldest());
        Assert.Equal(2, lists.HeldDirectoryEntries);
        Assert.Equal("b/y", lists.Resolve(8).LocalName);
        Assert.True(lists.DropOldest());
        Assert.False(lists.DropOldest());
        Assert.Equal(0, lists.HeldDirectoryEntries);
    }

    [Fact]
    public void AnIndexPastTheNewestListIsRefused()
    {
        SentLists lists = Tree(out _);
        var e = Assert.Throws<RsyncException>(() => lists.Resolve(12));
        Assert.Equal(RsyncErrorKind.ProtocolViolation, e.Kind);
        Assert.Throws<RsyncException>(() => lists.Resolve(-5));
    }

    [Fact]
    public async Task WithIncrementalRecursionIdNamesTravelInTheEntries()
    {
        // flist.c: send_file_entry — XMIT_USER_NAME_FOLLOWS / XMIT_GROUP_NAME_FOLLOWS on an id's first entry, and no
        // id lists after the end marker (send_file_list: numeric_ids <= 0 && !inc_recurse).
        var flags = CompatFlags.IncRecurse | CompatFlags.VarintFlistFlags | CompatFlags.SafeFlist;
        var session = new SessionParameters(32, flags, 0, "md5", "none");
        var writer = new FileListWriter(session, TransferOptions.Archive);
        var w = new ArrayBufferWriter<byte>();
        FileEntry root = File("a");
        FileEntry again = File("b");
        writer.Write(w, root, 1);
        writer.Write(w, again, 2);
        writer.WriteEnd(w, ioError: 0);

        await using var input = new MultiplexReader(new MemoryStream(w.WrittenSpan.ToArray()), new NoMessages());
        var reader = new FileListReader(input, session, TransferOptions.Archive, 16);
        List<FileEntry> back = await reader.ReadAsync(CancellationToken.None);
        Assert.Equal(2, back.Count);
        Assert.Equal("root", reader.UserNames[0]);
        Assert.Equal("root", reader.GroupNames[0]);
        // Nothing after the end marker (varint 0, varint io_error): no id lists.
        Assert.Equal(w.WrittenCount, input.TotalRead);
    }

    private sealed class NoMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload) => Assert.Fail($"unexpected message {code}");
    }
}
