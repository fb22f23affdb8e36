using System.Net.Sockets;
using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;
using ManagedRsync.Cli.Options;
using ManagedRsync.Filters;

namespace ManagedRsync.Tests.Foundation;

public class OptionParserTests
{
    [Fact]
    public void BundledShortOptionsAndArchiveImplications()
    {
        var o = OptionParser.Parse(["-avz", "src/", "host::mod/"]);
        Assert.True(o.Archive && o.Recursive && o.Links && o.Perms && o.Times && o.Group && o.Owner && o.Devices && o.Specials);
        Assert.False(o.HardLinks);
        Assert.Equal(1, o.Verbose);
        Assert.True(o.Compress);
        Assert.Equal(["src/", "host::mod/"], o.Args);
    }

    [Fact]
    public void ValuesInEveryForm()
    {
        var o = OptionParser.Parse(["--port=8730", "--timeout", "15", "-T", "/tmp/x", "--cc=xxh128", "--zc", "zstd",
            "--compress-level=3", "--contimeout=5", "--protocol", "29", "--password-file=/p", "--address", "127.0.0.2", "-T=/t2", "-B1k", "a", "b"]);
        Assert.Equal(8730, o.Port);
        Assert.Equal(15, o.Timeout);
        Assert.Equal("/t2", o.TempDir);
        Assert.Equal("xxh128", o.ChecksumChoice);
        Assert.Equal("zstd", o.CompressChoice);
        Assert.Equal(3, o.CompressLevel);
        Assert.Equal(5, o.ConnectTimeout);
        Assert.Equal(29, o.Protocol);
        Assert.Equal("/p", o.PasswordFile);
        Assert.Equal("127.0.0.2", o.Address);
        Assert.Equal(1024, o.BlockSize);
        Assert.Equal(["a", "b"], o.Args);
    }

    [Fact]
    public void ShortOptionValueEndsTheBundle()
    {
        var o = OptionParser.Parse(["-avT", "dir", "x", "y"]);
        Assert.True(o.Archive);
        Assert.Equal("dir", o.TempDir);
        Assert.Equal(["x", "y"], o.Args);
    }

    [Theory]
    // popt POPT_ARG_INT: strtoll(base 0), so hex and octal are numbers and an empty value is 0.
    [InlineData("--timeout=0x10", 16)]
    [InlineData("--timeout=010", 8)]
    [InlineData("--timeout=", 0)]
    [InlineData("--timeout=+7", 7)]
    public void NumbersAsPoptReadsThem(string arg, int expected)
    {
        Assert.Equal(expected, OptionParser.Parse([arg, "a", "b"]).Timeout);
    }

    [Fact]
    public void FiltersKeepCommandLineOrder()
    {
        var o = OptionParser.Parse(["--exclude=*.o", "--include", "dir/", "-f", "- /abs", "--exclude-from=ex", "--include-from", "in",
            "--files-from=list", "-0"]);
        Assert.Equal(
            [
                new FilterArgument(FilterOptionKind.Exclude, "*.o"), new FilterArgument(FilterOptionKind.Include, "dir/"),
                new FilterArgument(FilterOptionKind.Filter, "- /abs"), new FilterArgument(FilterOptionKind.ExcludeFrom, "ex"),
                new FilterArgument(FilterOptionKind.IncludeFrom, "in"),
            ],
            o.Filters);
        Assert.Equal("list", o.FilesFrom);
        Assert.True(o.From0);
    }

    [Fact]
    public void CvsExcludeAndFilterShortcutStandWhereTheyAreGiven()
    {
        // rsync options.c: -F is counted where it appears ("-FF" adds the second rule), -C is --cvs-exclude.
        var o = OptionParser.Parse(["--exclude=a", "-FC", "--cvs-exclude", "-F", "--include=b"]);
        Assert.Equal(
            [
                new FilterArgument(FilterOptionKind.Exclude, "a"), new FilterArgument(FilterOptionKind.FilterShortcut, ""),
                new FilterArgument(FilterOptionKind.CvsExclude, ""), new FilterArgument(FilterOptionKind.CvsExclude, ""),
                new FilterArgument(FilterOptionKind.FilterShortcut, ""), new FilterArgument(FilterOptionKind.Include, "b"),
            ],
            o.Filters);
    }

    [Theory]
    [InlineData("--delete", DeleteTiming.Default)]
    [InlineData("--del", DeleteTiming.During)]
    [InlineData("--delete-during", DeleteTiming.During)]
    [InlineData("--delete-before", DeleteTiming.Before)]
    [InlineData("--delete-delay", DeleteTiming.Delay)]
    [InlineData("--delete-after", DeleteTiming.After)]
    [InlineData("--delete-excluded", DeleteTiming.Default)]
    public void DeleteVariants(string option, DeleteTiming expected)
    {
        Assert.Equal(expected, OptionParser.Parse(["-r", option, "a", "b"]).Delete);
    }

    [Theory]
    // rsync options.c: at most one --delete-WHEN ("--del --delete-delay" is one: both set delete_during).
    [InlineData(new[] { "-r", "--delete-before", "--delete-after", "a", "b" }, "You may not combine multiple --delete-WHEN options.")]
    [InlineData(new[] { "-r", "--del", "--delete-before", "a", "b" }, "You may not combine multiple --delete-WHEN options.")]
    [InlineData(new[] { "--delete", "a", "b" }, "--delete does not work without --recursive (-r) or --dirs (-d).")]
    [InlineData(new[] { "--delete-excluded", "a", "b" }, "--delete does not work without --recursive (-r) or --dirs (-d).")]
    public void DeleteUsageErrorsAreStocks(string[] args, string message)
    {
        var e = Assert.Throws<OptionException>(() => OptionRules.CheckDeleteHasDirs(OptionParser.Parse(args)));
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Fact]
    public void DelAndDeleteDelayTogetherAreDelay()
    {
        Assert.Equal(DeleteTiming.Delay, OptionParser.Parse(["-r", "--del", "--delete-delay", "a", "b"]).Delete);
    }

    [Fact]
    public void ImpliedOptionsAndNegations()
    {
        var o = OptionParser.Parse(["-P", "-a", "--no-D", "--no-o", "--no-whole-file", "-ii", "-vvv", "-H", "-c", "-n", "--stats",
            "--numeric-ids", "--list-only", "--delete-missing-args", "-R", "-4", "--no-motd", "--bwlimit=1.5M", "a", "b"]);
        Assert.True(o.Partial && o.Progress);
        Assert.False(o.Devices || o.Specials || o.Owner);
        Assert.True(o.Group);
        Assert.False(o.WholeFile);
        Assert.Equal(2, o.ItemizeChanges);
        Assert.Equal(3, o.Verbose);
        Assert.True(o.HardLinks && o.Checksum && o.DryRun && o.Stats && o.NumericIds && o.ListOnly && o.DeleteMissingArgs && o.Relative);
        Assert.Equal(AddressFamily.InterNetwork, o.AddressFamily);
        Assert.False(o.Motd);
        // options.c OPT_BWLIMIT: bytes, then whole KiB ((size + 512) / 1024) as sent and paced.
        Assert.Equal(1536, o.BandwidthLimit);
        Assert.Equal(1536 * 1024, o.BandwidthBytesPerSecond);
    }

    [Theory]
    // Every --no-X after -a stays off in the transfer (the mapping used to OR the archive bits back in).
    [InlineData("--no-o")]
    [InlineData("--no-g")]
    [InlineData("--no-p")]
    [InlineData("--no-t")]
    [InlineData("--no-l")]
    [InlineData("--no-D")]
    [InlineData("--no-r")]
    [InlineData("--no-devices")]
    [InlineData("--no-specials")]
    public void NegationsAfterArchiveStayOff(string negation)
    {
        var t = OptionParser.Parse(["-a", negation, "a", "b"]).ToTransferOptions();
        var archive = OptionParser.Parse(["-a", "a", "b"]).ToTransferOptions();
        bool[] Bits(TransferOptions x) => [x.Recursive, x.Links, x.Perms, x.Times, x.Group, x.Owner, x.Devices, x.Specials];
        Assert.Equal(negation == "--no-D" ? 6 : 7, Bits(t).Count(b => b));
        Assert.All(Bits(archive), Assert.True);
    }

    [Theory]
    // stock rsync options.c parse_size_arg with 'K' as the default unit, then (bytes + 512) / 1024.
    [InlineData("1000", 1000)]
    [InlineData("100", 100)]
    [InlineData("1.5M", 1536)]
    [InlineData("1m", 1024)]
    [InlineData("10KB", 10)]
    [InlineData("10KiB", 10)]
    [InlineData("1G", 1048576)]
    [InlineData("0", 0)]
    [InlineData("512b", 1)]
    [InlineData("1000000000000", -727379968)]
    public void BandwidthLimitIsStocksKiB(string rate, int expected)
    {
        Assert.Equal(expected, OptionParser.Parse(["--bwlimit=" + rate, "a", "b"]).BandwidthLimit);
    }

    [Theory]
    [InlineData("--bwlimit=abc", "--bwlimit=abc is invalid")]
    [InlineData("--bwlimit=511b", "--bwlimit=511b is too small (min: 512 or 0 for unlimited)")]
    [InlineData("--block-size=131073", "--block-size=131073 is too large (max: 128.00K)")]
    [InlineData("--block-size=abc", "--block-size=abc is invalid")]
    public void SizeErrorsAreStocks(string arg, string message)
    {
        Assert.Equal(message, Assert.Throws<OptionException>(() => OptionParser.Parse([arg, "a", "b"])).Message);
    }

    [Theory]
    [InlineData("1k", 1024)]
    [InlineData("1.5k", 1536)]
    [InlineData("1kb", 1000)]
    [InlineData("10+1", 11)]
    [InlineData("1k-1", 1023)]
    public void BlockSizeUnits(string size, int expected)
    {
        Assert.Equal(expected, OptionParser.Parse(["-B", size, "a", "b"]).BlockSize);
    }

    [Fact]
    public void FilesFromDropsOnlyTheRecursionArchiveImplied()
    {
        var implied = OptionParser.Parse(["-a", "--files-from=l", "a", "b"]);
        Assert.False(implied.Recursive);
        Assert.True(implied.Dirs && implied.Relative);
        var explicitR = OptionParser.Parse(["-ar", "--files-from=l", "a", "b"]);
        Assert.True(explicitR.Recursive);
        Assert.False(OptionParser.Parse(["-a", "--files-from=l", "--no-R", "a", "b"]).Relative);
    }

    [Theory]
    [InlineData(new[] { "-z" }, true, false, null)]
    [InlineData(new[] { "-zz" }, true, false, "zlibx")]
    [InlineData(new[] { "--compress-level=3" }, true, true, null)]
    [InlineData(new[] { "--zc=zstd" }, true, false, "zstd")]
    [InlineData(new[] { "--zc=none" }, false, false, "none")]
    [InlineData(new[] { "--zc=auto", "-z" }, true, false, null)]
    [InlineData(new[] { "-z", "--no-z" }, false, false, null)]
    [InlineData(new[] { "--old-compress" }, true, false, "zlib")]
    public void CompressionAsStockSettlesIt(string[] args, bool compress, bool levelOnly, string? choice)
    {
        var o = OptionParser.Parse([.. args, "a", "b"]);
        Assert.Equal(compress, o.Compress);
        Assert.Equal(levelOnly, o.CompressFromLevelOnly);
        Assert.Equal(choice, o.CompressChoice);
    }

    [Fact]
    public void DoubleDashEndsOptionsAndLoneDashIsAnArgument()
    {
        var o = OptionParser.Parse(["-r", "--", "-v", "-", "--x"]);
        Assert.Equal(0, o.Verbose);
        Assert.Equal(["-v", "-", "--x"], o.Args);
    }

    [Fact]
    public void OptionsMayFollowArguments()
    {
        var o = OptionParser.Parse(["src", "-v", "dst", "--port", "99"]);
        Assert.Equal(["src", "dst"], o.Args);
        Assert.Equal(99, o.Port);
    }

    [Fact]
    public void HelpAndVersion()
    {
        Assert.True(OptionParser.Parse(["-h"]).ShowHelp);
        Assert.True(OptionParser.Parse(["-hh"]).ShowHelp);
        var human = OptionParser.Parse(["-h", "a"]);
        Assert.False(human.ShowHelp);
        // rsync's human_readable starts at 1 (separators); -h makes it 2, --no-h 0.
        Assert.Equal(2, human.HumanReadable);
        Assert.Equal(1, OptionParser.Parse(["a"]).HumanReadable);
        Assert.Equal(0, OptionParser.Parse(["-h", "--no-h", "a"]).HumanReadable);
        Assert.True(OptionParser.Parse(["--help"]).ShowHelp);
        // options.c OPT_HELP: help is shown where --help stands; what follows is not parsed.
        Assert.True(OptionParser.Parse(["--help", "--no-such"]).ShowHelp);
        Assert.True(OptionParser.Parse(["--version"]).ShowVersion);
        Assert.Equal(2, OptionParser.Parse(["-VV"]).VersionCount);
        // -V wins over a refusal, as stock prints the version right after its option loop.
        Assert.True(OptionParser.Parse(["-V", "--insecure-links"]).ShowVersion);
    }

    // Messages as stock rsync 3.5.0 prints them after "rsync: " (checked by running it).
    [Theory]
    [InlineData(new[] { "--foo" }, "--foo: unknown option")]
    [InlineData(new[] { "-vX9" }, "-vX9: unknown option")]
    [InlineData(new[] { "--timeout" }, "--timeout: missing argument")]
    [InlineData(new[] { "--port=abc", "x::" }, "--port=abc: invalid numeric value")]
    [InlineData(new[] { "--port", "abc", "x::" }, "abc: invalid numeric value")]
    [InlineData(new[] { "--timeout=99999999999" }, "--timeout=99999999999: number too large or too small")]
    [InlineData(new[] { "--stats=1" }, "--stats=1: option does not take an argument")]
    [InlineData(new[] { "-v=" }, "-v=: option does not take an argument")]
    [InlineData(new[] { "--no-port" }, "--no-port: unknown option")]
    // Only the "--no-" rows of stock's table exist; there is no --no-stats, --no-delete, nor abbreviation.
    [InlineData(new[] { "--no-stats" }, "--no-stats: unknown option")]
    [InlineData(new[] { "--no-delete" }, "--no-delete: unknown option")]
    [InlineData(new[] { "--verb" }, "--verb: unknown option")]
    [InlineData(new[] { "--max-delete=abc" }, "--max-delete=abc: invalid numeric value")]
    [InlineData(new[] { "--inplace", "--foo" }, "--foo: unknown option")]
    // options.c after the loop: --append refuses -W; --inplace and --append refuse a partial directory.
    [InlineData(new[] { "--append", "-W", "a", "b" }, "--append cannot be used with --whole-file")]
    [InlineData(new[] { "--chmod=u+r-w", "a", "b" }, "Invalid argument passed to --chmod (u+r-w)")]
    // options.c: parse_arguments case 'M'.
    [InlineData(new[] { "-M", "size-only", "a", "b" }, "Remote option must start with a dash: size-only")]
    [InlineData(new[] { "--chmod=a+r,", "a", "b" }, "Invalid argument passed to --chmod (a+r,)")]
    [InlineData(new[] { "--inplace", "--partial-dir=.p", "a", "b" }, "--inplace cannot be used with --partial-dir")]
    [InlineData(new[] { "--append-verify", "--delay-updates", "a", "b" }, "--append cannot be used with --delay-updates")]
    // options.c: set_refuse_options refuses crtimes in a build without SUPPORT_CRTIMES (stock 3.5.0 on Linux): popt
    // stops there with create_refuse_error's words, exit 1, before a later unknown option.
    [InlineData(new[] { "-aN", "--foo" }, "This rsync does not support --crtimes (-N)")]
    // options.c: parse_arguments — after the loop.
    [InlineData(new[] { "-aXX", "--fake-super", "a", "b" }, "--fake-super conflicts with -XX")]
    // options.c: parse_arguments — the batch options' conflicts (RERR_SYNTAX).
    [InlineData(new[] { "--write-batch=x", "--read-batch=y", "a" }, "--write-batch and --read-batch can not be used together")]
    [InlineData(new[] { "--read-batch=y", "--files-from=f", "a" }, "--read-batch cannot be used with --files-from")]
    [InlineData(new[] { "--read-batch=y", "--remove-source-files", "a" }, "--read-batch cannot be used with --remove-source-files")]
    [InlineData(new[] { "--insecure-links", "--crtimes" }, "This rsync does not support --crtimes (-N)")]
    [InlineData(new[] { "--foo", "-N" }, "--foo: unknown option")]
    // options.c: parse_arguments checks --outbuf's first letter once every option is read.
    [InlineData(new[] { "--outbuf=x", "a" }, "Invalid --outbuf setting -- specify N, L, or B.")]
    [InlineData(new[] { "--outbuf=", "a" }, "Invalid --outbuf setting -- specify N, L, or B.")]
    public void ErrorsReadLikeRsyncs(string[] args, string message)
    {
        var e = Assert.Throws<OptionException>(() => OptionParser.Parse(args));
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Theory]
    [InlineData(new[] { "--insecure-links" }, "--insecure-links is not supported yet")]
    [InlineData(new[] { "-aX", "--write-batch=b", "a", "b" }, "--xattrs (-X) with a batch file is not supported yet")]
    [InlineData(new[] { "--log-format", "%n %b", "-P" }, "--out-format with %b, %c or %C and --progress is not supported yet")]
    [InlineData(new[] { "-HH" }, "-HH is not supported yet")]
    [InlineData(new[] { "-H", "--protocol=27" }, "--hard-links (-H) with --protocol below 28 is not supported yet")]
    [InlineData(new[] { "--cc=bogus" }, "unknown checksum name: bogus")]
    [InlineData(new[] { "--zc=bogus" }, "unknown compress name: bogus")]
    public void StockOptionsNotImplementedAreRefusedByName(string[] args, string message)
    {
        var e = Assert.Throws<OptionException>(() => OptionParser.Parse([.. args, "a", "b"]));
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
    }

    [Theory]
    // Negations that restore what mrsync always does are accepted and change nothing.
    [InlineData("--no-sparse")]
    [InlineData("--no-inplace")]
    [InlineData("--no-A")]
    [InlineData("--no-X")]
    [InlineData("--no-iconv")]
    // --blocking-io, --outbuf: what reaches a reader of the output or the server is the same (OptionTable).
    [InlineData("--blocking-io")]
    [InlineData("--outbuf=N")]
    [InlineData("--outbuf=line")]
    [InlineData("--outbuf=B")]
    public void NegationsOfTheOnlyBehaviourAreAccepted(string arg)
    {
        var plain = OptionParser.Parse(["-a", "a", "b"]).ToTransferOptions();
        Assert.Equal(plain, OptionParser.Parse(["-a", arg, "a", "b"]).ToTransferOptions());
    }

    [Theory]
    // options.c: allow_inc_recurse is 1 unless the last of these says otherwise.
    [InlineData(new string[0], true)]
    [InlineData(new[] { "--no-i-r" }, false)]
    [InlineData(new[] { "--no-inc-recursive" }, false)]
    [InlineData(new[] { "--no-i-r", "--i-r" }, true)]
    [InlineData(new[] { "--no-i-r", "--inc-recursive" }, true)]
    public void IncrementalRecursionFollowsTheLastOption(string[] args, bool expected) =>
        Assert.Equal(expected, OptionParser.Parse(["-a", .. args, "a", "b"]).ToTransferOptions().IncrementalRecursion);

    [Fact]
    public void HelpListsOnlyWhatIsImplemented()
    {
        // Every "--name" or "-x" at the start of an option line of --help (and its aliases) is an implemented row.
        var named = System.Text.RegularExpressions.Regex.Matches(ManagedRsync.Cli.Usage.Help, @"^(--?[A-Za-z0-9][\w-]*)(?:=\S+)?(?:, (--?[\w-]+))?", System.Text.RegularExpressions.RegexOptions.Multiline)
            .SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).Where(n => n.Length > 0 && n != "--no-OPTION").ToList();
        Assert.True(named.Count > 60, string.Join(' ', named));
        foreach (string name in named)
        {
            OptionSpec? spec = OptionTable.All.FirstOrDefault(s => name.StartsWith("--", StringComparison.Ordinal) ? s.Long == name[2..] : s.Short == name[1]);
            Assert.True(spec is { Refused: false }, $"--help lists {name}, which is {(spec is null ? "unknown" : "refused")}");
        }
    }

    [Fact]
    public void TheTableHasEveryStockRowOnce()
    {
        // rsync 3.5.0 options.c long_options: 255 long names (-D, -F and -P have none) and these letters.
        var longNames = OptionTable.All.Where(s => s.Long != null).Select(s => s.Long).ToList();
        Assert.Equal(255, longNames.Distinct().Count());
        Assert.Equal(258, OptionTable.All.Count);
        string letters = new(OptionTable.All.Where(s => s.Short != '\0').Select(s => s.Short).Order().ToArray());
        Assert.Equal("0468@ABCDEFHIJKLMNOPRSTUVWXabcdefghiklmnopqrstuvxyz", letters);
    }
}
