using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Tests.Watch;

public sealed partial class HardLinkSiblingsTests : IDisposable
{
    [LibraryImport("libc", EntryPoint = "link", SetLastError = true)]
    private static partial int LinkBytes(byte[] existing, byte[] name);

    private static void Link(string existing, byte[] name) =>
        Assert.Equal(0, LinkBytes([.. Encoding.UTF8.GetBytes(existing), 0], [.. name, 0]));

    private static void Link(string existing, string name) => Link(existing, Encoding.UTF8.GetBytes(name));

    private readonly string _root = Directory.CreateTempSubdirectory("mrsync-siblings-").FullName;

    public void Dispose()
    {
        _walked.Dispose();
        // rm, not Directory.Delete: .NET cannot name the non-UTF-8 entry one test makes.
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", _root])!;
        rm.WaitForExit();
    }

    private string P(string relative) => Path.Combine(_root, relative);

    private static List<KeyValuePair<RawPath, PendingOp>> Batch(params (string Path, PendingOp Op)[] ops) =>
        [.. ops.Select(o => new KeyValuePair<RawPath, PendingOp>(RawPath.FromText(o.Path), o.Op))];

    private readonly SemaphoreSlim _walked = new(0);
    private int _walkThread;

    private HardLinkSiblings New() => new(_root, names =>
    {
        _walkThread = Environment.CurrentManagedThreadId;
        _walked.Release();
    });

    // What a batch sending these paths sends once the sibling walk it may need is done: the walk runs in the
    // background and hands the names back (the watch feeds them back as changes); the next batch has the siblings.
    private List<KeyValuePair<RawPath, PendingOp>> Complete(HardLinkSiblings siblings, params (string Path, PendingOp Op)[] ops)
    {
        var batch = Batch(ops);
        if (siblings.AddTo(batch))
        {
            Assert.True(_walked.Wait(TimeSpan.FromSeconds(60)), "the sibling walk never finished");
            batch = Batch(ops);
            Assert.False(siblings.AddTo(batch), "walked, and still the index does not know the file");
        }
        return batch;
    }

    private static string[] Sent(List<KeyValuePair<RawPath, PendingOp>> batch) =>
        [.. batch.Where(kv => kv.Value == PendingOp.Send).Select(kv => kv.Key.ToString()).Order(StringComparer.Ordinal)];

    [Fact]
    public void AWriteThroughOneNameSendsTheOtherNames()
    {
        Directory.CreateDirectory(P("dir/sub"));
        File.WriteAllText(P("f"), "one");
        File.CreateSymbolicLink(P("dir/not-a-link-of-f"), "../f");
        File.WriteAllText(P("g"), "unrelated");
        Link(P("f"), P("dir/sub/h"));
        var siblings = New();

        var batch = Complete(siblings, ("f", PendingOp.Send), ("gone", PendingOp.Delete));
        Assert.Equal(["dir/sub/h", "f"], Sent(batch));

        // a file with one name adds nothing and needs no walk; a Delete op is not a write
        batch = Batch(("g", PendingOp.Send), ("dir/sub/h", PendingOp.Delete));
        Assert.False(siblings.AddTo(batch));
        Assert.Equal(["g"], Sent(batch));
    }

    [Fact]
    public void TheWalkNeverRunsOnTheCallersThread()
    {
        File.WriteAllText(P("f"), "one");
        Link(P("f"), P("h"));
        var siblings = New();
        var batch = Batch(("f", PendingOp.Send));
        Assert.True(siblings.AddTo(batch), "a multi-link file the index does not know needs a walk");
        Assert.Equal(["f"], Sent(batch)); // out at once with the name that was written, nothing walked here
        Assert.True(_walked.Wait(TimeSpan.FromSeconds(60)), "the sibling walk never finished");
        Assert.NotEqual(Environment.CurrentManagedThreadId, _walkThread);
        batch = Batch(("f", PendingOp.Send));
        Assert.False(siblings.AddTo(batch));
        Assert.Equal(["f", "h"], Sent(batch));
    }

    [Fact]
    public void LinksMadeOrRemovedAfterTheFirstWalkAreFollowed()
    {
        File.WriteAllText(P("f"), "one");
        Link(P("f"), P("h1"));
        var siblings = New();
        var batch = Complete(siblings, ("h1", PendingOp.Send));
        Assert.Equal(["f", "h1"], Sent(batch));

        // a third name (the link count changed: walked again), then one removed and one renamed away
        Directory.CreateDirectory(P("d"));
        Link(P("f"), P("d/h2"));
        batch = Complete(siblings, ("f", PendingOp.Send));
        Assert.Equal(["d/h2", "f", "h1"], Sent(batch));

        File.Delete(P("h1"));
        File.Move(P("d/h2"), P("d/h3"));
        batch = Complete(siblings, ("f", PendingOp.Send));
        Assert.Equal(["d/h3", "f"], Sent(batch));
    }

    // The soak test (benchmarks/soak.py) found a write through one name after the other name's directory had been
    // moved: the link count had not changed, so the index's old name was used, no longer existed, and the replica's
    // copy under the new name stayed stale.
    [Fact]
    public void NamesMovedWithTheirDirectoryOrRenamedAreFoundAgain()
    {
        Directory.CreateDirectory(P("X/deep"));
        File.WriteAllText(P("f"), "one");
        Link(P("f"), P("X/deep/h"));
        var siblings = New();
        var batch = Complete(siblings, ("f", PendingOp.Send));
        Assert.Equal(["X/deep/h", "f"], Sent(batch));

        Directory.Move(P("X"), P("m"));
        batch = Batch(("f", PendingOp.Send));
        Assert.True(siblings.AddTo(batch), "a name the index has is gone while the link count is the same: walk again");
        Assert.True(_walked.Wait(TimeSpan.FromSeconds(60)), "the sibling walk never finished");
        batch = Complete(siblings, ("f", PendingOp.Send));
        Assert.Equal(["f", "m/deep/h"], Sent(batch));

        File.Move(P("f"), P("g"));
        batch = Complete(siblings, ("m/deep/h", PendingOp.Send));
        Assert.Equal(["g", "m/deep/h"], Sent(batch));
    }

    [Fact]
    public void NamesThatAreNotUtf8AreFoundByTheirBytes()
    {
        File.WriteAllText(P("f"), "one");
        byte[] name = [(byte)'x', 0xff, 0xfe];
        var raw = RawPath.FromBytes(name);
        Link(P("f"), [.. Encoding.UTF8.GetBytes(_root + "/"), .. name]);
        var siblings = New();
        var batch = Complete(siblings, ("f", PendingOp.Send));
        Assert.Contains(batch, kv => kv.Key == raw && kv.Value == PendingOp.Send);
        Assert.Equal(2, batch.Count);
    }
}
