namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// The differential test's table is built from stock's --help: an option a newer rsync adds becomes rows of its own,
/// and one that takes a value with no sample fails the test instead of being skipped.
/// </summary>
public class OptionCatalogTests
{
    private const string Help = """
        rsync  version 9.9.9  protocol version 33

        Options
        --verbose, -v            increase verbosity
        --no-OPTION              turn off an implied OPTION (e.g. --no-D)
        --block-size=SIZE, -B    force a fixed checksum block-size
        --brand-new              an option stock added later
        --brand-new-value=WHAT   another, with a value
        -F                       same as --filter='dir-merge /.rsync-filter'
                                 repeated: --filter='- .rsync-filter'
        --help, -h (*)           show this help (* -h is help only on its own)

        Use "rsync --daemon --help" to see the daemon-mode command-line options.
        """;

    [Fact]
    public void EveryHelpLineBecomesRowsAndAValueWithoutSampleIsReported()
    {
        var entries = StockHelp.Parse(Help.Replace("\r", "", StringComparison.Ordinal));
        Assert.Equal(["--verbose", "-v"], entries[0].Names);
        Assert.Equal("SIZE", entries[2].Value);
        Assert.Equal(["--help"], entries[^1].Names);

        var missing = new List<string>();
        var keys = OptionCatalog.Rows(entries, missing).Select(r => r.Key).ToHashSet();

        Assert.Equal(["--brand-new-value=WHAT"], missing);
        foreach (string key in new[] { "push | --brand-new", "pull | --brand-new", "push | -a --brand-new", "pull | -a --brand-new",
                     "push | -B 4096", "pull | -a --block-size=4096", "push | -a --no-o", "pull | --no-D", "push | -F" })
            Assert.Contains(key, keys);
        Assert.DoesNotContain("push | -h", keys);
    }
}
