using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.InteropTests.LocalCopy;
using ManagedRsync.InteropTests.Pull;
using ManagedRsync.InteropTests.Push;
using ManagedRsync.Tests.Pull;

namespace ManagedRsync.InteropTests.Output;

/// <summary>
/// --info=FLAGS next to stock rsync 3.5.0 (options.c: info_words, parse_output_words): the same command line for a local
/// copy, a push to the stock daemon and a pull from it gives the same lines, trees and exit code; --info=help prints
/// stock's list; an unknown word is stock's exit 1; a flag whose lines mrsync does not print is refused by name (exit 4).
/// </summary>
[Collection(RsyncDaemonCollectionB.Name)]
public sealed partial class InfoFlagsTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly SideBySide _pair = new();
    private readonly Sandbox _sandbox = new();

    public void Dispose()
    {
        _pair.Dispose();
        _sandbox.Dispose();
    }

    // Each row's flags with -a (or -rt, which skips the symlinks as non-regular files), a destination holding entries
    // to delete, and --delete.
    public static TheoryData<string> Rows() => new()
    {
        "-a --info=name",
        "-av --info=name0",
        "-a --info=del",
        "-a --info=del,flist",
        "-a --info=flist2",
        "-a --info=FLIST0,NAME1,DEL0",
        "-rt --info=nonreg0",
        "-rtv --info=nonreg0",
        "-rt --info=none",
        "-rtv --info=none",
        "-av --info=stats0",
        "-a --info=stats",
        "-a --info=stats2",
        "-a --info=progress",
        "-a --progress --info=progress0",
        "-a --progress --info=name0",
        "-ai --info=name2",
        "-a --info=symsafe,mount,remove,misc",
        "-a --info=,name,,",
        "-a --info=name --info=name0",
        "-ai --info=name9",
        "-a --out-format=%i:%n --info=name2",
        // generator.c: recv_generator's SKIP1 lines, our generator's on a pull and in a local copy.
        "-a --info=skip --ignore-existing",
        "-a --info=skip --max-size=100",
        "-a --info=skip --min-size=100 -u",
        "-a --info=skip --existing",
        // generator.c: SKIP2's reason after "NAME exists"; rsync.c: set_file_attrs' NAME2 lines ("NAME is uptodate")
        // without -i. The BACKUP lines: BackupInfoTests.
        "-a --info=skip2 --ignore-existing",
        "-ac --info=skip2 --ignore-existing",
        "-a --info=name2",
        "-rtv --info=name2",
        "-a --out-format=%n --info=name2",
    };

    [Theory]
    [MemberData(nameof(Rows))]
    // --debug where stock's client prints nothing for it (DebugOption).
    [InlineData("-av --debug=none,acl,iconv")]
    [InlineData("-av --debug=all0")]
    public async Task LocalCopyPrintsWhatStockPrints(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        foreach (string dest in new[] { _pair.Stock, _pair.Ours })
        {
            LocalSource.Write(dest, "gone.txt", "x");
            LocalSource.Write(dest, "gone-dir/inner", "y");
        }
        var outcome = await _pair.RunAsync([.. args.Split(' '), "--delete"]);
        outcome.AssertExit(0).AssertSameTrees();
        string ours = Output(outcome.Ours.Stdout, _pair.Ours);
        string stock = Output(outcome.Stock.Stdout, _pair.Stock).DeclinedIncrementalHeader(ours);
        // As SideBySide.AssertSameOutput: stock's forked generator's deletions and notices interleave with its sender's
        // names as the pipe has it, so each stream is compared in order.
        // So do its generator's "is uptodate" lines.
        foreach (var stream in new Func<string, bool>[] { IsDeletion, IsSkipNotice, IsUpToDate, l => !IsDeletion(l) && !IsSkipNotice(l) && !IsUpToDate(l) })
            Assert.Equal(stock.Split('\n').Where(stream), ours.Split('\n').Where(stream));
        Assert.Equal(outcome.Stock.Stderr.Replace(_pair.Stock, "DEST", StringComparison.Ordinal),
            outcome.Ours.Stderr.Replace(_pair.Ours, "DEST", StringComparison.Ordinal));
    }

    private static bool IsDeletion(string line) => line.StartsWith("deleting ", StringComparison.Ordinal);

    private static bool IsSkipNotice(string line) => line.StartsWith("skipping non-regular file ", StringComparison.Ordinal);

    private static bool IsUpToDate(string line) => line.EndsWith(" is uptodate", StringComparison.Ordinal);

    // StockOutput's masks, and the progress lines a file shows while it goes (at most one a second, and the first one
    // whenever the first data moves: timing, which --progress's own tests leave out too); the final line of each file
    // stays.
    private static string Output(string stdout, string destination) =>
        Intermediate().Replace(StockOutput.Normalize(stdout, destination), "");

    // The tree without times: a copy made in the same second as the other keeps or changes an old entry's time by
    // whether a second ticked (SshInteropTests' note); what --info changes is the output, compared above.
    private static string Tree(string root) => Ticks().Replace(StockOutput.Snapshot(root), " T");

    [GeneratedRegex(@"\r +[0-9.,KMGTP]+ +[0-9]+%RATE TIME  (?=\r)")]
    private static partial Regex Intermediate();

    [GeneratedRegex(@" [0-9]{15,}")]
    private static partial Regex Ticks();

    [Theory]
    [MemberData(nameof(Rows))]
    [InlineData("-a --info=skip2 --max-size=100")]
    [InlineData("-a --info=all")]
    [InlineData("-av --info=name9")]
    [InlineData("-av --debug=del2,backup,genr,fuzzy,acl,iconv -b")]
    [InlineData("-av --debug=none")]
    public async Task PushToTheStockDaemonPrintsWhatStockPrints(string args)
    {
        string src = SourceTree.Create(Path.Combine(_sandbox.Root, "src"), hardLinks: true);
        string id = Guid.NewGuid().ToString("N")[..12];
        string stockName = "info-stock-" + id, oursName = "info-ours-" + id;
        foreach (string name in new[] { stockName, oursName })
        {
            string dir = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
            Directory.CreateDirectory(Path.Combine(dir, "old-dir"));
            File.WriteAllText(Path.Combine(dir, "old-dir", "f"), "f");
            File.WriteAllText(Path.Combine(dir, "old-file"), "g");
            // An existing entry for --ignore-existing, --max-size and -b to act on.
            SourceTree.Write(dir, "stale", "old content"u8.ToArray());
        }
        SourceTree.Write(src, "stale", new byte[300]);
        // The source root a day old: made within the same clock tick as a destination's last change, its time could
        // equal that one's, and whether "./" is itemized would depend on which run that happened to.
        Directory.SetLastWriteTimeUtc(src, DateTime.UtcNow.AddDays(-1));
        // Without incremental recursion on both clients: the lines' order with it is IncrementalPushTests' business.
        string[] argv = [.. args.Split(' '), "--delete", "--no-i-r", src + "/"];
        var stock = await daemon.RunRsyncAsync([.. argv, $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        var ours = await daemon.RunMrsyncAsync([.. argv, $"{daemon.Url}{DaemonModules.Open}/{oursName}/"]);
        Assert.True(stock.ExitCode == ours.ExitCode, daemon.Explain(ours, stock));
        Assert.Equal(Output(stock.Stdout.Replace(stockName, "DEST", StringComparison.Ordinal), "DEST"),
            Output(ours.Stdout.Replace(oursName, "DEST", StringComparison.Ordinal), "DEST"));
        Assert.Equal(stock.Stderr, ours.Stderr);
        Assert.Equal(Tree(Path.Combine(daemon.ModulePath(DaemonModules.Open), stockName)),
            Tree(Path.Combine(daemon.ModulePath(DaemonModules.Open), oursName)));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    [InlineData("-av --debug=send2,acl")]
    [InlineData("-av --debug=ALL0")]
    public async Task PullFromTheStockDaemonPrintsWhatStockPrints(string args)
    {
        string source = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "info-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            PullTree.CreateSample(source);
            string ours = Path.Combine(_sandbox.Root, "ours"), theirs = Path.Combine(_sandbox.Root, "theirs");
            string template = Path.Combine(_sandbox.Root, "template");
            PullTree.CreateStaleCopy(source, template);
            StockOutput.CopyTree(template, ours);
            StockOutput.CopyTree(template, theirs);
            string url = $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(source)}/";
            string[] argv = [.. args.Split(' '), "--delete", "--no-i-r", url];
            var stock = await daemon.RunRsyncAsync([.. argv, theirs + "/"]);
            var mine = await daemon.RunMrsyncAsync([.. argv, ours + "/"]);
            Assert.True(stock.ExitCode == mine.ExitCode, daemon.Explain(mine, stock));
            // Stock's generator prints its own lines ("deleting", "skipping non-regular file", "is uptodate") at once,
            // while the names of what it itemized come when the sender echoes them: where the two meet is the pipe's
            // timing, so each stream is compared in order (as the local copy's).
            string theirOutput = Output(stock.Stdout, theirs), ourOutput = Output(mine.Stdout, ours);
            // With info=name2 and no %i the generator also names each kept entry whose attributes it set (rsync.c:
            // set_file_attrs, "NAME"), a line like the echoed ones: those are compared as a set.
            bool attributeNames = args.Contains("name2", StringComparison.Ordinal) && !args.Contains("-ai", StringComparison.Ordinal)
                && !args.Contains("%i", StringComparison.Ordinal);
            foreach (var stream in new Func<string, bool>[] { IsDeletion, IsSkipNotice, IsUpToDate, l => !IsDeletion(l) && !IsSkipNotice(l) && !IsUpToDate(l) })
            {
                var theirStream = theirOutput.Split('\n').Where(stream);
                var ourStream = ourOutput.Split('\n').Where(stream);
                if (attributeNames)
                    Assert.Equal(theirStream.Order(StringComparer.Ordinal), ourStream.Order(StringComparer.Ordinal));
                else
                    Assert.Equal(theirStream, ourStream);
            }
            Assert.Equal(stock.Stderr, mine.Stderr);
            Assert.Equal(Tree(theirs), Tree(ours));
        }
        finally
        {
            Directory.Delete(source, recursive: true);
        }
    }

    [Theory]
    [InlineData("--info=help")]
    [InlineData("--info=name,HELP,nonsense")]
    [InlineData("-q --info=help")]
    [InlineData("--debug=help")]
    [InlineData("--debug=del,help")]
    public async Task HelpIsStocksList(string args)
    {
        var stock = await ToolProcess.RunAsync("rsync", args.Split(' '));
        var ours = await MrsyncProcess.RunAsync(args.Split(' '), new Dictionary<string, string?>());
        Assert.Equal(0, stock.ExitCode);
        Assert.Equal(0, ours.ExitCode);
        Assert.Equal(stock.Stdout, ours.Stdout);
        Assert.Equal("", ours.Stderr);
    }

    [Theory]
    [InlineData("--info=nonsense")]
    [InlineData("--info=name,2")]
    [InlineData("--info=names")]
    [InlineData("--debug=nonsense")]
    [InlineData("--debug=del,info")]
    [InlineData("--info=nonsense --no-such-option")]
    public async Task AnUnknownWordIsStocksUsageError(string args)
    {
        LocalSource.CreateSample(_pair.Source);
        var outcome = await _pair.RunAsync(["-a", .. args.Split(' ')]);
        outcome.AssertExit(1);
        Assert.Equal(outcome.Stock.Stderr.Split('\n')[0], outcome.Ours.Stderr.Split('\n')[0]);
        Assert.False(Directory.Exists(_pair.Ours));
    }

    [Theory]
    [InlineData("--info=name2 --compare-dest=../y", "--info=name2 without --itemize-changes (-i) with --compare-dest, --copy-dest or --link-dest is not supported yet with a local copy")]
    [InlineData("--debug=del2", "--debug=del2 is not supported yet with a local copy")]
    [InlineData("--debug=send", "--debug=send is not supported yet with a local copy")]
    [InlineData("--debug=iconv2", "--debug=iconv2 is not supported yet with a local copy")]
    public async Task WhatIsNotPrintedIsRefusedByName(string args, string message)
    {
        LocalSource.CreateSample(_pair.Source);
        var ours = await MrsyncProcess.RunAsync(["-a", .. args.Split(' '), _pair.Source + "/", _pair.Ours + "/"],
            new Dictionary<string, string?>());
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains("mrsync: " + message, ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_pair.Ours));
    }

    [Theory]
    [InlineData("--info=name2 --link-dest=../y", "--info=name2 without --itemize-changes (-i) with --compare-dest, --copy-dest or --link-dest is not supported yet on a pull")]
    [InlineData("--debug=del2", "--debug=del2 is not supported yet on a pull")]
    [InlineData("--debug=flist", "--debug=flist is not supported yet on a pull")]
    public async Task APullOfWhatOnlyStocksReceiverPrintsIsRefusedByName(string option, string message)
    {
        var ours = await daemon.RunMrsyncAsync(["-a", .. option.Split(' '), $"{daemon.Url}{DaemonModules.ReadOnly}/", Path.Combine(_sandbox.Root, "x") + "/"]);
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains("mrsync: " + message, ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_sandbox.Root, "x")));
    }

    [Theory]
    [InlineData("--debug=send", "--debug=send is not supported yet on a push")]
    [InlineData("--debug=exit", "--debug=exit is not supported yet on a push")]
    public async Task APushOfWhatStocksSenderPrintsIsRefusedByName(string option, string message)
    {
        string src = SourceTree.Create(Path.Combine(_sandbox.Root, "src"), hardLinks: false);
        string name = "debug-" + Guid.NewGuid().ToString("N")[..12];
        var ours = await daemon.RunMrsyncAsync(["-a", option, src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"]);
        Assert.Equal(4, ours.ExitCode);
        Assert.Contains("mrsync: " + message, ours.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(daemon.ModulePath(DaemonModules.Open), name)));
    }
}
