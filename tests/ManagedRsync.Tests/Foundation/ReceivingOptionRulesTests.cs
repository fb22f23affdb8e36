using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;
using ManagedRsync.Cli.Options;
using ManagedRsync.Filters;

namespace ManagedRsync.Tests.Foundation;

/// <summary>
/// What rsync 3.5.0's parse_arguments (options.c) implies and refuses for issue 11's receiving-side options; each
/// message as stock prints it after "rsync: " (checked by running stock with the same command line).
/// </summary>
public sealed class ReceivingOptionRulesTests
{
    private static RsyncOptions Parse(params string[] args) => OptionParser.Parse([.. args, "src/", "host::module"], environment: _ => null);

    [Fact]
    public void BackupDirImpliesBackupAndAnEmptySuffix()
    {
        var o = Parse("--backup-dir=././bak");
        Assert.True(o.Backup);
        Assert.Equal("bak", o.BackupDir);
        Assert.Equal("", o.BackupSuffix);
        Assert.Equal("~", Parse("-b").BackupSuffix);
        Assert.Equal(".old", Parse("-b", "--suffix=.old").BackupSuffix);
    }

    [Theory]
    [InlineData(new[] { "--suffix=a/b" }, "--suffix cannot contain slashes: a/b")]
    [InlineData(new[] { "-b", "--suffix=" }, "--suffix cannot be empty without a --backup-dir")]
    [InlineData(new[] { "--suffix=" }, "--suffix cannot be empty without a --backup-dir")]
    [InlineData(new[] { "--backup-dir=." }, "--suffix cannot be empty when --backup-dir is the same as the dest dir")]
    [InlineData(new[] { "--link-dest=a", "--compare-dest=b" }, "ERROR: the --compare-dest option conflicts with the --link-dest option")]
    [InlineData(new[] { "--usermap=a:b", "--usermap=c:d" }, "You can only specify --usermap once.")]
    [InlineData(new[] { "--chown=a", "--usermap=c:d" }, "--usermap conflicts with prior --chown.")]
    [InlineData(new[] { "--groupmap=a:b", "--chown=:g" }, "--chown conflicts with prior --groupmap.")]
    [InlineData(new[] { "--chown=a:g", "--chown=:h" }, "You can only specify a group-affecting --chown once.")]
    [InlineData(new[] { "--max-alloc=1k" }, "--max-alloc=1k is too small (min: 1.00M or 0 for unlimited)")]
    [InlineData(new[] { "--max-size=abc" }, "--max-size=abc is invalid")]
    public void ErrorsReadLikeRsyncs(string[] args, string message)
    {
        var e = Assert.Throws<OptionException>(() => Parse(args));
        Assert.Equal(message, e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Fact]
    public void AtMostTwentyBasisDirectories()
    {
        string[] twenty = Enumerable.Range(0, 20).Select(i => $"--link-dest=d{i}").ToArray();
        Assert.Equal(20, Parse(twenty).AltDestDirs.Count);
        var e = Assert.Throws<OptionException>(() => Parse([.. twenty, "--link-dest=d20"]));
        Assert.Equal("ERROR: at most 20 --link-dest args may be specified", e.Message);
    }

    [Fact]
    public void BackupsInPlaceAreProtectedFromDelete()
    {
        // options.c: -b with --delete (not --delete-excluded) and no --backup-dir adds "P *SUFFIX" after the user's rules.
        var o = Parse("-a", "--exclude=x", "-b", "--suffix=.old", "--delete");
        Assert.Equal(new FilterArgument(FilterOptionKind.Filter, "P *.old"), o.Filters[^1]);
        Assert.DoesNotContain(Parse("-a", "-b", "--delete-excluded").Filters, f => f.Value.StartsWith("P ", StringComparison.Ordinal));
        Assert.DoesNotContain(Parse("-a", "--backup-dir=b", "--delete").Filters, f => f.Value.StartsWith("P ", StringComparison.Ordinal));
        Assert.Empty(Parse("-a", "-b").Filters);
    }

    [Fact]
    public void ChownIsAUserMapAndAGroupMap()
    {
        var o = Parse("--chown=alice:staff");
        Assert.Equal("*:alice", o.UserMap);
        Assert.Equal("*:staff", o.GroupMap);
        Assert.True(o.Owner && o.Group);
        var groupOnly = Parse("--chown=:staff");
        Assert.Null(groupOnly.UserMap);
        Assert.False(groupOnly.Owner);
        Assert.True(Parse("--usermap=1:2").Owner);
    }

    [Fact]
    public void LimitsAndCounts()
    {
        Assert.Equal(0, Parse("--max-delete=-5").MaxDelete);
        Assert.Null(Parse("-a").MaxDelete);
        Assert.Equal(1048576L, Parse("--max-size=1M").MaxSize);
        Assert.Equal(1000L, Parse("--min-size=1kb").MinSize);
        Assert.Equal(3, Parse("-yy", "--link-dest=a", "--link-dest=b").Fuzzy);
        Assert.Equal(1, Parse("-yy").Fuzzy);
        Assert.Null(Parse("--max-alloc=1G").MaxAlloc);
        Assert.Equal("0", Parse("--max-alloc=0").MaxAlloc);
        Assert.Equal(-1, Parse("-@-1").ModifyWindow);
    }

    // util2.c: my_alloc binds stock's own roles to the limit, which ours do not apply (protocol-notes 83): only 0
    // (unlimited) and the default are taken; any other limit is refused by name after stock's own checks.
    [Theory]
    [InlineData("--max-alloc=2G", "--max-alloc")]
    [InlineData("--max-alloc=1M", "--max-alloc")]
    [InlineData("--max-alloc=1G+1", "--max-alloc")]
    public void A_limit_is_refused_by_name(string arg, string named)
    {
        var e = Assert.Throws<OptionException>(() => Parse(arg));
        Assert.Equal($"{named} other than 0 (unlimited) is not supported yet", e.Message);
        Assert.Equal(RsyncExitCode.Unsupported, e.ExitCode);
        // Stock's own complaints come first.
        Assert.Equal(RsyncExitCode.Syntax, Assert.Throws<OptionException>(() => Parse(arg, "--suffix=a/b")).ExitCode);
        var env = new Dictionary<string, string?> { ["RSYNC_MAX_ALLOC"] = arg["--max-alloc=".Length..] };
        e = Assert.Throws<OptionException>(() => OptionParser.Parse(["-a", "src/", "host::m"], environment: n => env.GetValueOrDefault(n)));
        Assert.Equal("$RSYNC_MAX_ALLOC other than 0 (unlimited) is not supported yet", e.Message);
    }

    [Fact]
    public void EnvironmentSuppliesMaxAllocAndPartialDir()
    {
        var env = new Dictionary<string, string?> { ["RSYNC_MAX_ALLOC"] = "0", ["RSYNC_PARTIAL_DIR"] = ".rsync-partial" };
        var o = OptionParser.Parse(["-P", "src/", "host::m"], environment: n => env.GetValueOrDefault(n));
        Assert.Equal("0", o.MaxAlloc);
        Assert.Equal(".rsync-partial", o.PartialDir);
        // Only with --partial, and --delay-updates wins with its own directory.
        Assert.Null(OptionParser.Parse(["-a", "src/", "host::m"], environment: n => env.GetValueOrDefault(n)).PartialDir);
        var delayed = OptionParser.Parse(["-P", "--delay-updates", "src/", "host::m"], environment: n => env.GetValueOrDefault(n));
        Assert.Equal(".~tmp~", delayed.PartialDir);
        Assert.True(delayed.PartialDirImplied);
    }

    [Theory]
    [InlineData("a//b/../c/", "a/c")]
    [InlineData("./x/./y", "x/y")]
    [InlineData("../up", "../up")]
    [InlineData("/abs/../x", "/x")]
    [InlineData("/..", "/")]
    [InlineData("a/..", ".")]
    [InlineData("a/b/../../..", "..")]
    public void PartialDirIsCleanedAsStockCleansIt(string given, string cleaned) =>
        Assert.Equal(cleaned, CleanFileName.CollapseDotDot(given));

    [Fact]
    public void PartialDirThatIsTheDestinationIsNone()
    {
        var o = Parse("--partial-dir=./");
        Assert.Null(o.PartialDir);
        Assert.True(o.Partial);
    }

    [Fact]
    public void ARelativePartialDirIsExcludedPerishably()
    {
        // compat.c: setup_protocol adds the partial directory as a perishable directory exclude, after the user's rules.
        Assert.Equal("-p .~tmp~/", Parse("-a", "--exclude=x", "--delay-updates").Filters[^1].Value);
        Assert.Equal("-p a/b/", Parse("--partial-dir=a//./b/").Filters[^1].Value);
        Assert.DoesNotContain(Parse("--partial-dir=/abs/p").Filters, f => f.Value.StartsWith("-p", StringComparison.Ordinal));
        Assert.Throws<RsyncException>(() => DirectionSupport.Check(Parse("--partial-dir=../p"), TransferDirection.Pull));
        DirectionSupport.Check(Parse("--partial-dir=../p"), TransferDirection.Push);
        DirectionSupport.Check(Parse("-a", "--delay-updates", "--partial-dir=.p"), TransferDirection.Local);
    }

    [Fact]
    public void PullAndLocalCopyRefuseWhatOnlyAPushDoes()
    {
        var pull = Assert.Throws<RsyncException>(() => DirectionSupport.Check(Parse("-a", "--append", "-S"), TransferDirection.Pull));
        Assert.Equal(RsyncExitCode.Unsupported, pull.ExitCode);
        Assert.Equal("--append with --sparse is not supported yet on a pull", pull.Message);
        Assert.Throws<RsyncException>(() => DirectionSupport.Check(Parse("-a", "--append", "-S"), TransferDirection.Local));
        DirectionSupport.Check(Parse("-a", "--inplace", "-S"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-a", "--mkpath"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-a", "--mkpath"), TransferDirection.Local);
        DirectionSupport.Check(Parse("-a", "-b", "--suffix=.old"), TransferDirection.Local);
        DirectionSupport.Check(Parse("-a", "--backup-dir=b", "--link-dest=../y", "--force"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-a", "--backup-dir=b", "--copy-dest=../y", "--force"), TransferDirection.Local);
        DirectionSupport.Check(Parse("-aH", "--delay-updates"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-aK", "--remove-source-files", "-H"), TransferDirection.Local);
        DirectionSupport.Check(Parse("-aH", "-u", "--existing", "--append"), TransferDirection.Local);
        DirectionSupport.Check(Parse("-a", "-u", "--ignore-non-existing", "--max-size=1", "--max-delete=2", "--ignore-errors"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("--inplace", "--link-dest=../y"), TransferDirection.Local);
        DirectionSupport.Check(Parse("--inplace", "--copy-dest=../y"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-a", "--partial-dir=/abs/pd"), TransferDirection.Pull);
        DirectionSupport.Check(Parse("-a", "--delay-updates", "--partial-dir=/abs/./x/../pd/"), TransferDirection.Local);
        var local = Assert.Throws<RsyncException>(() => DirectionSupport.Check(Parse("--append", "--link-dest=../y"), TransferDirection.Local));
        Assert.Equal("--append with --compare-dest, --copy-dest or --link-dest is not supported yet with a local copy", local.Message);
        var up = Assert.Throws<RsyncException>(() => DirectionSupport.Check(Parse("--partial-dir=../pd"), TransferDirection.Pull));
        Assert.Equal("--partial-dir with a '..' component is not supported yet on a pull", up.Message);
        DirectionSupport.Check(Parse("-a", "--link-dest=../y", "-b"), TransferDirection.Push);
        DirectionSupport.Check(Parse("-a", "--checksum-seed=5"), TransferDirection.Pull);
    }

    [Fact]
    public void TheLibraryGetsEveryOption()
    {
        var t = Parse("-a", "--backup-dir=bak", "--suffix=.b", "--link-dest=y", "--max-delete=3", "--ignore-errors", "--force",
            "-u", "--existing", "--ignore-existing", "--max-size=9", "--min-size=1", "--partial-dir=p", "--delay-updates", "-S",
            "--preallocate", "--modify-window=2", "-y", "--mkpath", "--fsync", "--usermap=1:2", "--groupmap=3:4",
            "--checksum-seed=7", "--max-alloc=0", "-K").ToTransferOptions();
        Assert.Equal(("bak", ".b", AltDestKind.Link, 3), (t.BackupDir, t.BackupSuffix, t.AltDest, t.MaxDelete));
        Assert.Equal(["y"], t.AltDestDirs);
        Assert.True(t.Backup && t.IgnoreErrors && t.Force && t.Update && t.Existing && t.IgnoreExisting && t.DelayUpdates && t.Sparse
            && t.Preallocate && t.MakePath && t.Fsync && t.KeepDirLinks && t.Partial);
        Assert.Equal((9L, 1L, "p", 2, 1), (t.MaxSize, t.MinSize, t.PartialDir, t.ModifyWindow, t.Fuzzy));
        Assert.Equal(("1:2", "3:4", 7, "0"), (t.UserMap, t.GroupMap, t.ChecksumSeed, t.MaxAlloc));
        Assert.True(t.MaxAllocUnlimited);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("--max-alloc=1G", false)]
    [InlineData("--max-alloc=1073741824", false)]
    [InlineData("--max-alloc=0", true)]
    [InlineData("--max-alloc=0kib", true)]
    public void Only_0_lifts_the_senders_limit_on_block_sums(string? option, bool unlimited)
    {
        // sender.c: receive_sums under util2.c: my_alloc — the default 1 GiB, written out or not, keeps stock's limit
        // on a sender's block sums (protocol-notes 85); 0 lifts it; an allocation over it is exit 22 (RERR_MALLOC).
        var t = (option is null ? Parse("-a") : Parse("-a", option)).ToTransferOptions();
        Assert.Equal(unlimited, t.MaxAllocUnlimited);
        Assert.Equal(RsyncExitCode.Malloc, RsyncExitCodes.For(new RsyncException(RsyncErrorKind.AllocationLimit, "x")));
    }
}

/// <summary>Our server (the daemon side, issue 13) reads what our client sends for the generator rules our roles do.</summary>
public sealed class ReceivingOptionServerArgumentTests
{
    [Fact]
    public void GeneratorRulesRoundTripThroughTheServerVector()
    {
        TransferOptions sent = OptionParser.Parse(["-a", "-u", "--existing", "--ignore-existing", "--max-size=1M", "--min-size=4",
            "--modify-window=2", "src/", "host::m"], environment: _ => null).ToTransferOptions();
        List<string> argv = ManagedRsync.Session.ServerArguments.Build(sent, daemonSends: false, ["m"]);
        ManagedRsync.Server.ServerRequest r = ManagedRsync.Server.ServerArgumentParser.Parse(argv, out string? error);
        Assert.Null(error);
        Assert.True(r.Options.Update && r.Options.Existing && r.Options.IgnoreExisting);
        Assert.Equal((1048576L, 4L, 2), (r.Options.MaxSize, r.Options.MinSize, r.Options.ModifyWindow));
    }
}
