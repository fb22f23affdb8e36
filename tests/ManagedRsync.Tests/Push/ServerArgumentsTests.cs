using ManagedRsync.Cli.Commands;
using ManagedRsync.Cli.Options;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Push;

/// <summary>
/// The server argument vector for both directions against stock rsync 3.5.0's: each row was captured from stock's
/// client (a recording daemon on loopback; the command line plus --no-i-r, which the test adds too) pushing to and
/// pulling from rsync://HOST/mod/. "|" separates the words.
/// </summary>
public class ServerArgumentsTests
{
    [Theory]
    [InlineData("-a", "--server|-logDtpre.LsfxCIvu|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-av --delete", "--server|-vlogDtpre.LsfxCIvu|--delete|.|mod/", "--server|--sender|-vlogDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-avz", "--server|-vlogDtprze.LsfxCIvu|.|mod/", "--server|--sender|-vlogDtprze.LsfxCIvu|.|mod/")]
    [InlineData("-azz", "--server|-logDtpre.LsfxCIvu|--new-compress|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|--new-compress|.|mod/")]
    [InlineData("-a --zc=zstd --compress-level=5", "--server|-logDtpre.LsfxCIvu|--compress-level=5|--compress-choice=zstd|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|--compress-level=5|--compress-choice=zstd|.|mod/")]
    [InlineData("--compress-level=3", "--server|-e.LsfxCIvu|--compress-level=3|.|mod/", "--server|--sender|-e.LsfxCIvu|--compress-level=3|.|mod/")]
    [InlineData("--zc=zlib", "--server|-ze.LsfxCIvu|--old-compress|.|mod/", "--server|--sender|-ze.LsfxCIvu|--old-compress|.|mod/")]
    [InlineData("--zc=none", "--server|-e.LsfxCIvu|--compress-choice=none|.|mod/", "--server|--sender|-e.LsfxCIvu|--compress-choice=none|.|mod/")]
    [InlineData("-a --no-o --no-g", "--server|-lDtpre.LsfxCIvu|.|mod/", "--server|--sender|-lDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-rlt --no-D --specials", "--server|-ltre.LsfxCIvu|--specials|.|mod/", "--server|--sender|-ltre.LsfxCIvu|--specials|.|mod/")]
    [InlineData("-a --no-specials", "--server|-logDtpre.LsfxCIvu|--no-specials|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|--no-specials|.|mod/")]
    [InlineData("-vvq -i -r", "--server|-vvqre.LsfxCIvu|--log-format=%i|.|mod/", "--server|--sender|-vvqre.LsfxCIvu|.|mod/")]
    [InlineData("-ii -r", "--server|-re.LsfxCIvu|--log-format=%i%I|.|mod/", "--server|--sender|-re.LsfxCIvu|.|mod/")]
    [InlineData("-P -r", "--server|-re.LsfxCIvu|--log-format=X|--partial|.|mod/", "--server|--sender|-re.LsfxCIvu|.|mod/")]
    [InlineData("-P -v -r", "--server|-vre.LsfxCIvu|--partial|.|mod/", "--server|--sender|-vre.LsfxCIvu|.|mod/")]
    [InlineData("--progress -i -r", "--server|-re.LsfxCIvu|--log-format=%i|.|mod/", "--server|--sender|-re.LsfxCIvu|.|mod/")]
    [InlineData("-r --partial -T /tmp", "--server|-re.LsfxCIvu|--partial|--temp-dir|/tmp|.|mod/", "--server|--sender|-re.LsfxCIvu|.|mod/")]
    [InlineData("-a --delete-after --delete-excluded", "--server|-logDtpre.LsfxCIvu|--delete-after|--delete-excluded|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-a --del", "--server|-logDtpre.LsfxCIvu|--delete-during|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-a --delete-delay", "--server|-logDtpre.LsfxCIvu|--delete-delay|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-a --delete-before", "--server|-logDtpre.LsfxCIvu|--delete-before|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-a --delete-excluded", "--server|-logDtpre.LsfxCIvu|--delete-excluded|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-r --delete-missing-args", "--server|-re.LsfxCIvu|--delete-missing-args|.|mod/", "--server|--sender|-re.LsfxCIvu|--delete-missing-args|.|mod/")]
    [InlineData("-rn --list-only", "--server|-nre.LsfxCIvu|--list-only|.|mod/", "--server|--sender|-nre.LsfxCIvu|--list-only|.|mod/")]
    [InlineData("-r --size-only --stats -I -c -W -C -R -H", "--server|-WHrcCIRe.LsfxCIvu|--size-only|--stats|.|mod/", "--server|--sender|-WHrcCIRe.LsfxCIvu|.|mod/")]
    [InlineData("-r --numeric-ids --timeout=5 --bwlimit=1.5M -B 4k", "--server|-re.LsfxCIvu|-B4096|--timeout=5|--bwlimit=1536|--numeric-ids|.|mod/", "--server|--sender|-re.LsfxCIvu|-B4096|--timeout=5|--bwlimit=1536|--numeric-ids|.|mod/")]
    [InlineData("-r --cc=xxh128", "--server|-re.LsfxCIvu|--checksum-choice=xxh128|.|mod/", "--server|--sender|-re.LsfxCIvu|--checksum-choice=xxh128|.|mod/")]
    [InlineData("-r --cc=none", "--server|-Wre.LsfxCIvu|--checksum-choice=none|.|mod/", "--server|--sender|-Wre.LsfxCIvu|--checksum-choice=none|.|mod/")]
    // options.c: server_options — 'O' and 'J' to a receiving server only, 'O' not when -b without --backup-dir implies it.
    [InlineData("-rlt -O -J -m", "--server|-lmOJtre.LsfxCIvu|.|mod/", "--server|--sender|-ltre.LsfxCIvu|.|mod/")]
    [InlineData("-rlt -b -O", "--server|-bltre.LsfxCIvu|.|mod/", "--server|--sender|-bltre.LsfxCIvu|.|mod/")]
    [InlineData("-rlt -O --backup-dir=x", "--server|-blOtre.LsfxCIvu|--backup-dir|x|.|mod/", "--server|--sender|-bltre.LsfxCIvu|--backup-dir|x|.|mod/")]
    // options.c: server_options — --open-noatime in either direction, after --preallocate.
    [InlineData("-r --open-noatime --preallocate", "--server|-re.LsfxCIvu|--preallocate|--open-noatime|.|mod/", "--server|--sender|-re.LsfxCIvu|--open-noatime|.|mod/")]
    // options.c: server_options — --qsort goes as "--use-qsort", and turns incremental recursion off (no 'i').
    [InlineData("-r --qsort --numeric-ids", "--server|-re.LsfxCIvu|--numeric-ids|--use-qsort|.|mod/", "--server|--sender|-re.LsfxCIvu|--numeric-ids|--use-qsort|.|mod/")]
    [InlineData("--protocol=29 -av", "--server|-vlogDtpr|.|mod/", "--server|--sender|-vlogDtpr|.|mod/")]
    [InlineData("--protocol=30 -a", "--server|-logDtpre.LsfxCIvu|.|mod/", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-r --bwlimit=1000 --no-whole-file", "--server|-re.LsfxCIvu|--bwlimit=1000|.|mod/", "--server|--sender|-re.LsfxCIvu|--bwlimit=1000|.|mod/")]
    public void VectorIsStocks(string options, string push, string pull)
    {
        string[] words = [.. options.Split(' '), "--no-i-r"];
        var pushed = OptionParser.Parse([.. words, "src/", "host::mod/"]).ToTransferOptions();
        Assert.Equal(push, string.Join('|', ServerArguments.Build(pushed, daemonSends: false, ["mod/"])));
        var pulled = OptionParser.Parse([.. words, "host::mod/", "dst/"]).ToTransferOptions();
        Assert.Equal(pull, string.Join('|', ServerArguments.Build(pulled, daemonSends: true, ["mod/"])));
    }

    [Theory]
    // options.c: maybe_add_e_option puts 'i' first when incremental recursion is allowed (compat.c:
    // set_allow_inc_recurse); mrsync offers it on a pull as stock does (with -H, -R, -v, -i, --progress, --out-format),
    // not for a listing (IncrementalRecursion.Offered); a push: PushOffersIncrementalRecursion.
    [InlineData("-r", "--server|--sender|-re.iLsfxCIvu|.|mod/")]
    [InlineData("-a --delete", "--server|--sender|-logDtpre.iLsfxCIvu|.|mod/")]
    [InlineData("-a --delete-delay", "--server|--sender|-logDtpre.iLsfxCIvu|.|mod/")]
    [InlineData("-a --delete-after", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-a --no-i-r", "--server|--sender|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-r -H", "--server|--sender|-Hre.iLsfxCIvu|.|mod/")]
    [InlineData("-r --info=progress2", "--server|--sender|-re.iLsfxCIvu|.|mod/")]
    [InlineData("-r --progress", "--server|--sender|-re.iLsfxCIvu|.|mod/")]
    [InlineData("-av", "--server|--sender|-vlogDtpre.iLsfxCIvu|.|mod/")]
    [InlineData("-ri", "--server|--sender|-re.iLsfxCIvu|.|mod/")]
    [InlineData("-r --out-format=%n", "--server|--sender|-re.iLsfxCIvu|.|mod/")]
    public void PullOffersIncrementalRecursion(string options, string pull)
    {
        var pulled = OptionParser.Parse([.. options.Split(' '), "host::mod/", "dst/"]).ToTransferOptions();
        Assert.Equal(pull, string.Join('|', ServerArguments.Build(pulled, daemonSends: true, ["mod/"])));
    }

    [Theory]
    // A push offers 'i' as stock's client does (compat.c: set_allow_inc_recurse: the delete timing only matters to the
    // receiving side, whose daemon then declines), with -H and -R too (IncrementalRecursion.Offered).
    [InlineData("-r", "--server|-re.iLsfxCIvu|.|mod/")]
    [InlineData("-a --delete", "--server|-logDtpre.iLsfxCIvu|--delete|.|mod/")]
    [InlineData("-a --delete-after", "--server|-logDtpre.iLsfxCIvu|--delete-after|.|mod/")]
    [InlineData("-a --no-i-r", "--server|-logDtpre.LsfxCIvu|.|mod/")]
    [InlineData("-r -H", "--server|-Hre.iLsfxCIvu|.|mod/")]
    [InlineData("-r -R", "--server|-rRe.iLsfxCIvu|.|mod/")]
    [InlineData("-r --progress", "--server|-re.iLsfxCIvu|--log-format=X|.|mod/")]
    [InlineData("-d", "--server|-de.LsfxCIvu|.|mod/")]
    public void PushOffersIncrementalRecursion(string options, string push)
    {
        var pushed = OptionParser.Parse([.. options.Split(' '), "src/", "host::mod/"]).ToTransferOptions();
        Assert.Equal(push, string.Join('|', ServerArguments.Build(pushed, daemonSends: false, ["mod/"])));
    }

    [Fact]
    public void ListingWithoutRecursionSendsDirs()
    {
        // Captured: `rsync rsync://HOST/mod/` sends "--server --sender -de.LsfxCIvu . mod/".
        var listing = OptionParser.Parse(["host::mod/"]).ToTransferOptions();
        Assert.Equal("--server|--sender|-de.LsfxCIvu|.|mod/", string.Join('|', ServerArguments.Build(listing, daemonSends: true, ["mod/"])));
    }

    [Theory]
    // clientserver.c start_inband_exchange: a bare module gets its slash, a leading '-' gets "./", " mod/" inside a
    // path is bracketed.
    [InlineData("mod", "mod/")]
    [InlineData("mod/a b", "mod/a b")]
    [InlineData("mod/x mod/y", "mod/x[ ]mod/y")]
    public void RemotePathsAsStockWritesThem(string path, string sent)
    {
        var o = OptionParser.Parse(["-r", "host::mod/", "dst/"]).ToTransferOptions();
        Assert.Equal(sent, ServerArguments.Build(o, daemonSends: true, [path])[^1]);
    }
}
