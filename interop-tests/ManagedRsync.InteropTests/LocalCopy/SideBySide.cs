using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.Pull;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// One source, two destinations: stock rsync copies into <see cref="Stock"/>, mrsync into <see cref="Ours"/>, with the
/// same arguments, and the outcomes are compared: exit codes, stdout (masked only where <see cref="StockOutput"/> says,
/// plus the destination path and stock's incremental-recursion header), whether stderr has anything to say, and the two
/// trees byte for byte.
/// </summary>
internal sealed class SideBySide : IDisposable
{
    public SideBySide()
    {
        Assert.True(ToolProcess.FindOnPath("rsync") is not null, "stock rsync is not on PATH: the local-copy comparisons need it");
        Root = Directory.CreateTempSubdirectory("mrsync-local-").FullName;
        Source = Path.Combine(Root, "src");
        Stock = Path.Combine(Root, "stock");
        Ours = Path.Combine(Root, "ours");
    }

    public string Root { get; }

    public string Source { get; }

    public string Stock { get; }

    public string Ours { get; }

    public void Dispose()
    {
        // rm: .NET cannot name the entries that are not UTF-8; a 0500 directory in a copy would stop a plain delete.
        LocalSource.Run("chmod", "-R", "u+rwx", Root);
        LocalSource.Run("rm", "-rf", Root);
    }

    /// <summary><c>rsync ARGS SRC/ stock/</c> and <c>mrsync ARGS SRC/ ours/</c> (<paramref name="from"/> replaces "SRC/").</summary>
    public async Task<Outcome> RunAsync(IEnumerable<string> args, string? from = null, string? under = null)
    {
        string source = from ?? Source + "/";
        string stockDest = (under is null ? Stock : Path.Combine(Stock, under)) + "/";
        string oursDest = (under is null ? Ours : Path.Combine(Ours, under)) + "/";
        string[] argv = [.. args];
        var stock = await ToolProcess.RunAsync("rsync", [.. argv, source, stockDest]);
        var ours = await MrsyncProcess.RunAsync([.. argv, source, oursDest], new Dictionary<string, string?>());
        return new Outcome(stock, ours, this);
    }

    public sealed record Outcome(ProcessResult Stock, ProcessResult Ours, SideBySide Pair)
    {
        private string Explain => $"{Stock}\n{Ours}";

        /// <summary>Same exit code, same stdout, stderr empty on both or on neither, and the same trees.</summary>
        public Outcome AssertSame(bool times = true, bool rootTimes = true)
        {
            Assert.True(Stock.ExitCode == Ours.ExitCode, "exit codes differ\n" + Explain);
            AssertSameOutput();
            Assert.True(Stock.Stderr.Length == 0 == (Ours.Stderr.Length == 0), "one side wrote to stderr\n" + Explain);
            AssertSameTrees(times, rootTimes);
            return this;
        }

        /// <summary>
        /// The same lines in the same order, except that lines from different processes may interleave differently:
        /// in stock's local copy the client's sender prints the names it sends while the forked generator's deletions
        /// and "skipping" notices reach the client as messages over the pipe, so their interleaving varies from run to
        /// run of stock rsync itself. Each of those streams is compared in order, and the lines as a whole as a multiset.
        /// </summary>
        public void AssertSameOutput()
        {
            (string stock, string ours) = NormalizedOutput();
            if (stock == ours)
                return;
            foreach (var stream in new Func<string, bool>[] { IsDeletion, IsSkipNotice, l => !IsDeletion(l) && !IsSkipNotice(l) })
                Assert.Equal(Lines(stock).Where(stream), Lines(ours).Where(stream));
        }

        /// <summary>The same lines in the same order, deletions and names interleaved as stock interleaves them.</summary>
        public Outcome AssertSameOutputInOrder()
        {
            (string stock, string ours) = NormalizedOutput();
            Assert.Equal(stock, ours);
            return this;
        }

        /// <summary>
        /// With -H and incremental recursion: the lines of members linked to a leader ("NAME => LEADER") come when
        /// the generator learns that the leader is in place, which in stock's depends on when it reads the receiver's
        /// pipe; they are compared as a set, the deletions in their order, the rest in theirs.
        /// </summary>
        public Outcome AssertSameOutputWithLinkLinesApart()
        {
            (string stock, string ours) = NormalizedOutput();
            Fixtures.IncrementalTree.AssertSameWithLinkLinesApart(stock, ours);
            return this;
        }

        private (string Stock, string Ours) NormalizedOutput()
        {
            string ours = StockOutput.Normalize(Ours.Stdout, Pair.Ours);
            return (StockOutput.Normalize(Stock.Stdout, Pair.Stock).DeclinedIncrementalHeader(ours), ours);
        }

        /// <param name="times">Compare mtimes (rsync -t); without it the copies' times are those of the copying.</param>
        /// <param name="rootTimes">Compare the destination directory's own mtime: only when it is the transfer's root (SRC/ DST/).</param>
        public void AssertSameTrees(bool times = true, bool rootTimes = true) =>
            Assert.Equal(TreeSnapshot.Of(Pair.Stock, times, rootTimes), TreeSnapshot.Of(Pair.Ours, times, rootTimes));

        private static string[] Lines(string text) => text.Split('\n');

        private static bool IsDeletion(string line) => line.StartsWith("deleting ", StringComparison.Ordinal) || line.StartsWith("*deleting ", StringComparison.Ordinal);

        private static bool IsSkipNotice(string line) => line.StartsWith("skipping non-regular file ", StringComparison.Ordinal);

        public Outcome AssertExit(int code)
        {
            Assert.True(Stock.ExitCode == code, $"stock rsync's exit code is not {code}\n" + Explain);
            Assert.True(Ours.ExitCode == code, $"mrsync's exit code is not {code}\n" + Explain);
            return this;
        }
    }
}
