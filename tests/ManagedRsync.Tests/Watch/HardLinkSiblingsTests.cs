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
        // rm, not Directory.Delete: .NET cannot name the non-UTF-8 entry one test makes.
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", _root])!;
        rm.WaitForExit();
    }

    private string P(string relative) => Path.Combine(_root, relative);

    private static List<KeyValuePair<RawPath, PendingOp>> Batch(params (string Path, PendingOp Op)[] ops) =>
        [.. ops.Select(o => new KeyValuePair<RawPath, PendingOp>(RawPath.FromUtf8(o.Path), o.Op))];

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
        var siblings = new HardLinkSiblings(_root);

        var batch = Batch(("f", PendingOp.Send), ("gone", PendingOp.Delete));
        siblings.AddTo(batch);
        Assert.Equal(["dir/sub/h", "f"], Sent(batch));

        // a file with one name adds nothing; a Delete op is not a write
        batch = Batch(("g", PendingOp.Send), ("dir/sub/h", PendingOp.Delete));
        siblings.AddTo(batch);
        Assert.Equal(["g"], Sent(batch));
    }

    [Fact]
    public void LinksMadeOrRemovedAfterTheFirstWalkAreFollowed()
    {
        File.WriteAllText(P("f"), "one");
        Link(P("f"), P("h1"));
        var siblings = new HardLinkSiblings(_root);
        var batch = Batch(("h1", PendingOp.Send));
        siblings.AddTo(batch);
        Assert.Equal(["f", "h1"], Sent(batch));

        // a third name (the link count changed: walked again), then one removed and one renamed away
        Directory.CreateDirectory(P("d"));
        Link(P("f"), P("d/h2"));
        batch = Batch(("f", PendingOp.Send));
        siblings.AddTo(batch);
        Assert.Equal(["d/h2", "f", "h1"], Sent(batch));

        File.Delete(P("h1"));
        File.Move(P("d/h2"), P("d/h3"));
        batch = Batch(("f", PendingOp.Send));
        siblings.AddTo(batch);
        Assert.Equal(["d/h3", "f"], Sent(batch));
    }

    [Fact]
    public void NamesThatAreNotUtf8AreFoundByTheirBytes()
    {
        File.WriteAllText(P("f"), "one");
        byte[] name = [(byte)'x', 0xff, 0xfe];
        var raw = RawPath.FromBytes(name);
        Link(P("f"), [.. Encoding.UTF8.GetBytes(_root + "/"), .. name]);
        var siblings = new HardLinkSiblings(_root);
        var batch = Batch(("f", PendingOp.Send));
        siblings.AddTo(batch);
        Assert.Contains(batch, kv => kv.Key == raw && kv.Value == PendingOp.Send);
        Assert.Equal(2, batch.Count);
    }
}
