using System.Net.Sockets;
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
        var o = OptionParser.Parse(["--port=8730", "--timeout", "15", "-essh -p 22", "-T", "/tmp/x", "--cc=xxh128", "--zc", "zstd",
            "--compress-level=3", "--contimeout=5", "--protocol", "29", "--password-file=/p", "--address", "127.0.0.2", "a", "b"]);
        Assert.Equal(8730, o.Port);
        Assert.Equal(15, o.Timeout);
        Assert.Equal("ssh -p 22", o.RemoteShell);
        Assert.Equal("/tmp/x", o.TempDir);
        Assert.Equal("xxh128", o.ChecksumChoice);
        Assert.Equal("zstd", o.CompressChoice);
        Assert.Equal(3, o.CompressLevel);
        Assert.Equal(5, o.ConnectTimeout);
        Assert.Equal(29, o.Protocol);
        Assert.Equal("/p", o.PasswordFile);
        Assert.Equal("127.0.0.2", o.Address);
        Assert.Equal(["a", "b"], o.Args);
    }

    [Fact]
    public void ShortOptionValueEndsTheBundle()
    {
        var o = OptionParser.Parse(["-ave", "ssh", "x"]);
        Assert.True(o.Archive);
        Assert.Equal("ssh", o.RemoteShell);
        Assert.Equal(["x"], o.Args);
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
        Assert.Equal(expected, OptionParser.Parse([option]).Delete);
    }

    [Fact]
    public void ImpliedOptionsAndNegations()
    {
        var o = OptionParser.Parse(["-P", "-a", "--no-D", "--no-o", "--no-whole-file", "-ii", "-vvv", "-H", "-c", "-n", "--stats",
            "--numeric-ids", "--list-only", "--delete-missing-args", "-R", "-4", "--no-motd", "--bwlimit=1.5M"]);
        Assert.True(o.Partial && o.Progress);
        Assert.False(o.Devices || o.Specials || o.Owner);
        Assert.True(o.Group);
        Assert.False(o.WholeFile);
        Assert.Equal(2, o.ItemizeChanges);
        Assert.Equal(3, o.Verbose);
        Assert.True(o.HardLinks && o.Checksum && o.DryRun && o.Stats && o.NumericIds && o.ListOnly && o.DeleteMissingArgs && o.Relative);
        Assert.Equal(AddressFamily.InterNetwork, o.AddressFamily);
        Assert.False(o.Motd);
        Assert.Equal(1536 * 1024, o.BandwidthLimit);
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
        var human = OptionParser.Parse(["-h", "a"]);
        Assert.False(human.ShowHelp);
        Assert.Equal(1, human.HumanReadable);
        Assert.True(OptionParser.Parse(["--help"]).ShowHelp);
        Assert.True(OptionParser.Parse(["--version"]).ShowVersion);
        Assert.True(OptionParser.Parse(["-V"]).ShowVersion);
    }

    // Messages as stock rsync 3.5.0 prints them after "rsync: " (checked by running it).
    [Theory]
    [InlineData(new[] { "--foo" }, "--foo: unknown option")]
    [InlineData(new[] { "-vX9" }, "-vX9: unknown option")]
    [InlineData(new[] { "--timeout" }, "--timeout: missing argument")]
    [InlineData(new[] { "--port=abc", "x::" }, "--port=abc: invalid numeric value")]
    [InlineData(new[] { "--stats=1" }, "--stats: option does not take an argument")]
    [InlineData(new[] { "--no-port" }, "--no-port: unknown option")]
    public void ErrorsReadLikeRsyncs(string[] args, string message)
    {
        Assert.Equal(message, Assert.Throws<OptionException>(() => OptionParser.Parse(args)).Message);
    }
}
