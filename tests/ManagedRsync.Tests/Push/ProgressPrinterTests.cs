using ManagedRsync.Cli.Output;

namespace ManagedRsync.Tests.Push;

public sealed class ProgressPrinterTests
{
    [Fact]
    public void UpdatesOneLineInPlaceAndEndsItOnce()
    {
        var output = new StringWriter();
        TimeSpan now = TimeSpan.Zero;
        var printer = new ProgressPrinter(output, new HumanNumbers(1), () => now);
        const long size = 4L << 20;

        printer.Report(new TransferProgress("big", 0, size, 0, 3));
        now = TimeSpan.FromMilliseconds(400);
        printer.Report(new TransferProgress("big", 1L << 20, size, 0, 3)); // under a second since the last: not shown
        now = TimeSpan.FromSeconds(1);
        printer.Report(new TransferProgress("big", 2L << 20, size, 0, 3));
        now = TimeSpan.FromSeconds(2);
        printer.Report(new TransferProgress("big", size, size, 0, 3));
        printer.Report(new TransferProgress("small", 10, 10, 2, 3));

        string text = output.ToString();
        string[] lines = text.Split('\n');
        Assert.Equal(3, lines.Length); // two finished files, then nothing after the last newline
        Assert.Equal("", lines[2]);
        // The first file: shown at 0 and at 1 s (in place), then finished at 2 s over the whole time.
        string[] updates = lines[0].Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "              0   0%    0.00kB/s    0:00:00  ",
            "      2,097,152  50%    2.00MB/s    0:00:01  ",
            "      4,194,304 100%    2.00MB/s    0:00:02 (xfr#1, to-chk=2/3)",
        ], updates);
        Assert.StartsWith("\r             10 100%", lines[1]);
        Assert.EndsWith("(xfr#2, to-chk=0/3)", lines[1]);
    }

    [Fact]
    public void WholeTransferLineCountsEverythingListedAndOwesANewline()
    {
        var output = new StringWriter();
        var owed = new OwedNewline(output);
        TimeSpan now = TimeSpan.Zero;
        var printer = new ProgressPrinter(output, new HumanNumbers(1), () => now, wholeTransfer: true, owed: owed);

        // progress.c: an empty file has only its end; a file's first offset sets the start; each end pads to the
        // previous end's length; an end-of-list index repeats the totals.
        printer.Report(new TransferProgress("empty", 0, 0, 0, 12) { TotalSize = 3000, TransferredSize = 0 });
        now = TimeSpan.FromMilliseconds(500);
        printer.Report(new TransferProgress("a", 0, 1000, 1, 12) { TotalSize = 3000, TransferredSize = 1000 });
        now = TimeSpan.FromMilliseconds(1500);
        printer.Report(new TransferProgress("a", 1000, 1000, 1, 12) { TotalSize = 3000, TransferredSize = 1000, ListsIncomplete = true });
        now = TimeSpan.FromMilliseconds(2500);
        printer.Report(new TransferProgress("b", 2000, 2000, 11, 12) { TotalSize = 3000, TransferredSize = 3000 });
        printer.Report(new TransferProgress("", 0, 0, 11, 12) { TotalSize = 3000, TransferredSize = 3000, EndOfList = true });

        Assert.True(owed.Owed);
        Assert.Equal(
        [
            "              0   0%    0.00kB/s    0:00:00 (xfr#1, to-chk=11/12)",
            "              0   0%    0.00kB/s    0:00:00  ",
            // A sender shows a file's last offset before its end (match.c), at most once a second.
            "          1,000  33%    0.98kB/s    0:00:02  ",
            "          1,000  33%    0.98kB/s    0:00:01 (xfr#2, ir-chk=10/12)",
            "          3,000 100%    1.46kB/s    0:00:00  ",
            "          3,000 100%    1.46kB/s    0:00:02 (xfr#3, to-chk=0/12) ",
            "          3,000 100%    1.46kB/s    0:00:02 (xfr#3, to-chk=0/12)",
        ], output.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries));
        owed.Settle();
        Assert.EndsWith("(xfr#3, to-chk=0/12)\n", output.ToString(), StringComparison.Ordinal);
        Assert.False(owed.Owed);
    }

    [Fact]
    public void AMessageAfterAnOpenProgressLineStartsOnANewLine()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var owed = new OwedNewline(stdout);
        var printer = new ProgressPrinter(new NewlineFirstWriter(stdout, owed), new HumanNumbers(1), () => TimeSpan.Zero, wholeTransfer: true, owed: owed);
        printer.Report(new TransferProgress("f", 5, 5, 0, 1) { TotalSize = 5, TransferredSize = 5 });
        // log.c: rwrite — the newline goes to the stream the message goes to.
        new NewlineFirstWriter(stderr, owed).WriteLine("rsync: some error");
        Assert.Equal("\nrsync: some error" + Environment.NewLine, stderr.ToString());
        Assert.DoesNotContain("\n", stdout.ToString(), StringComparison.Ordinal);
    }
}
