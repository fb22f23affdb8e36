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
}
