using System.Reflection;
using System.Runtime.CompilerServices;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Output;
using ManagedRsync.Client;

namespace ManagedRsync.Tests.Cli;

/// <summary>The CLI's edge: it prints the library's events as rsync prints, and sees only the library's public API.</summary>
public sealed class ConsoleEventsTests
{
    private static (string Out, string Err) Print(RsyncOptions options, params TransferMessage[] messages)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var events = new ConsoleEvents(output, error, options);
        foreach (TransferMessage m in messages)
            events.OnMessage(m);
        return (output.ToString(), error.ToString());
    }

    private static readonly TransferMessage[] Sample =
    [
        new(TransferMessageKind.ServerLine, "Welcome"),
        new(TransferMessageKind.Info, "file.txt"),
        new(TransferMessageKind.Error, "rsync: some error"),
    ];

    [Fact]
    public void InfoAndServerLinesGoToStdoutErrorsToStderrInOrder()
    {
        var (output, error) = Print(new RsyncOptions(), Sample);
        Assert.Equal("Welcome\nfile.txt\n", output);
        Assert.Equal("rsync: some error\n", error);
    }

    [Fact]
    public void QuietDropsEveryStdoutLineButNotErrors()
    {
        var (output, error) = Print(new RsyncOptions { Quiet = true }, Sample);
        Assert.Equal("", output);
        Assert.Equal("rsync: some error\n", error);
    }

    [Fact]
    public void NoMotdDropsOnlyTheDaemonsLines()
    {
        var (output, _) = Print(new RsyncOptions { Motd = false }, Sample);
        Assert.Equal("file.txt\n", output);
    }

    [Fact]
    public void ProgressIsPrintedOnlyWithProgressAndNotUnderQuiet()
    {
        var progress = new TransferProgress("a", 3, 3, 0, 1);
        foreach (var (options, printed) in new[]
                 {
                     (new RsyncOptions { Progress = true }, true),
                     (new RsyncOptions(), false),
                     (new RsyncOptions { Progress = true, Quiet = true }, false),
                 })
        {
            var output = new StringWriter();
            new ConsoleEvents(output, TextWriter.Null, options).OnProgress(progress);
            Assert.Equal(printed, output.ToString().Contains("100%", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void DeletionsArePrintedAsRsyncLogsThem()
    {
        var output = new StringWriter { NewLine = "\n" };
        new ConsoleEvents(output, TextWriter.Null, new RsyncOptions { Verbose = 1 }).OnDeleted(new TransferDeletion("old", IsDirectory: true, 0x4000));
        new ConsoleEvents(output, TextWriter.Null, new RsyncOptions { ItemizeChanges = 1 }).OnDeleted(new TransferDeletion("a b", IsDirectory: false, 0x8000));
        new ConsoleEvents(output, TextWriter.Null, new RsyncOptions { Verbose = 1, Quiet = true }).OnDeleted(new TransferDeletion("q", false, 0x8000));
        Assert.Equal("deleting old/\n*deleting   a b\n", output.ToString());
    }

    [Fact]
    public void TheLibraryGrantsTheCliNoInternals()
    {
        var friends = typeof(ManagedRsync.Client.RsyncClient).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        Assert.Contains("ManagedRsync.Tests", friends); // the attribute is read: the check below can fail
        Assert.DoesNotContain("mrsync", friends);
    }
}
