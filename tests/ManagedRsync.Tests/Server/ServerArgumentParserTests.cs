using ManagedRsync.Server;
using ManagedRsync.Session;

namespace ManagedRsync.Tests.Server;

/// <summary>
/// The server reads the vector stock's client sends (options.c: server_options) back into the same options: every
/// vector our own client builds round-trips, stock's captured vectors parse, and what we do not implement is refused
/// with stock's wording.
/// </summary>
public class ServerArgumentParserTests
{
    [Fact]
    public void Stock_push_vector_parses_into_its_options()
    {
        // Captured from a 3.5.0 client: rsync -av --delete src/ rsync://host/mod/
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-vlogDtpre.iLsfxCIvu", "--delete", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.False(r.IsSender);
        Assert.Equal("iLsfxCIvu", r.ClientInfo);
        Assert.Equal(["mod/"], r.Paths);
        TransferOptions o = r.Options;
        Assert.Equal(1, o.Verbose);
        Assert.True(o.Links && o.Owner && o.Group && o.Devices && o.Specials && o.Times && o.Perms && o.Recursive);
        Assert.Equal(DeleteTiming.Default, o.Delete);
    }

    [Fact]
    public void Acls_are_taken_and_imply_perms()
    {
        // options.c: -A is preserve_acls and preserve_perms (stock's client sends 'p' with it too; 'A' alone sets both).
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-rAe.iLsfxCIvu", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.True(r.Options.Acls && r.Options.Perms);
    }

    [Fact]
    public void Mkpath_reaches_a_receiving_server()
    {
        // options.c: server_options sends --mkpath to a receiving server (rsync -a --mkpath src/ rsync://host/mod/a/b/);
        // popt on the server knows --no-mkpath too, the last one winning.
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-logDtpre.iLsfxCIvu", "--mkpath", ".", "mod/a/b/"], out string? error);
        Assert.Null(error);
        Assert.True(r.Options.MakePath);
        r = ServerArgumentParser.Parse(["--server", "-re.iLsfxCIvu", "--mkpath", "--no-mkpath", ".", "mod/"], out error);
        Assert.Null(error);
        Assert.False(r.Options.MakePath);
    }

    [Fact]
    public void A_negative_modify_window_comes_as_a_letter_with_its_value()
    {
        // options.c: server_options — modify_window < 0 is sent as "-@%d", popt taking the rest of the word.
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-logDtpre.iLsfxCIvu", "-@-1", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(-1, r.Options.ModifyWindow);
        Assert.Contains("-@", r.OptionNames);
        ServerArgumentParser.Parse(["--server", "-re.iLsfxCIvu", "-@x", ".", "mod/"], out error);
        Assert.Equal("-@: bad numeric value\n", error);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_checksum_seed_is_taken_either_way(bool sender)
    {
        // options.c: server_options sends --checksum-seed=N in either direction; the server sends it as the seed.
        ServerRequest r = ServerArgumentParser.Parse(
            ["--server", .. sender ? new[] { "--sender" } : [], "-re.iLsfxCIvu", "--checksum-seed=-7", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(-7, r.Options.ChecksumSeed);
    }

    [Theory]
    [InlineData("--max-alloc=0", true)]
    [InlineData("--max-alloc=0.0M", true)]
    [InlineData("--max-alloc=00kib", true)]
    [InlineData("--max-alloc=.", true)]
    [InlineData("--max-alloc=1M", false)]
    [InlineData("--max-alloc=0.5G", false)]
    [InlineData("--max-alloc=0+1", false)]
    [InlineData("--max-alloc=0x", false)]
    [InlineData("--max-alloc=", false)]
    public void Max_alloc_is_taken_only_as_unlimited(string option, bool taken)
    {
        // util2.c: my_alloc — a limit binds stock's own allocations, which ours mostly do not make (protocol-notes 83);
        // 0 lifts the one ours keeps, a sender's block sums (protocol-notes 85).
        foreach (bool sender in (bool[])[true, false])
        {
            ServerRequest r = ServerArgumentParser.Parse(["--server", .. sender ? new[] { "--sender" } : [], "-re.iLsfxCIvu", option, ".", "mod/"], out string? error);
            Assert.Equal(taken ? null : "The server does not support --max-alloc\n", error);
            if (taken)
                Assert.True(r.Options.MaxAllocUnlimited);
            ServerRequest plain = ServerArgumentParser.Parse(["--server", .. sender ? new[] { "--sender" } : [], "-re.iLsfxCIvu", ".", "mod/"], out error);
            Assert.Null(error);
            Assert.False(plain.Options.MaxAllocUnlimited);
        }
    }

    [Fact]
    public void Pull_vector_with_values_parses()
    {
        ServerRequest r = ServerArgumentParser.Parse(
            ["--server", "--sender", "-logDtprze.LsfxCIvu", "--no-specials", "-B2048", "--timeout=30", "--bwlimit=100",
             "--checksum-choice=md5", ".", "mod/a", "mod/b/"], out string? error);
        Assert.Null(error);
        Assert.True(r.IsSender);
        Assert.Equal(["mod/a", "mod/b/"], r.Paths);
        Assert.True(r.Options.Compress);
        Assert.False(r.Options.Specials);
        Assert.Equal(2048, r.Options.BlockSize);
        Assert.Equal(30, r.Options.Timeout);
        Assert.Equal(100, r.Options.BandwidthLimit);
        Assert.Equal("md5", r.Options.ChecksumChoice);
    }

    public static TheoryData<TransferOptions, bool> ClientOptions() => new()
    {
        { TransferOptions.Archive with { Verbose = 2, Delete = DeleteTiming.Default }, false },
        { TransferOptions.Archive with { Delete = DeleteTiming.After, DeleteExcluded = true, Stats = true, SizeOnly = true }, false },
        { TransferOptions.Archive with { Compress = true, CompressLevel = 3, CompressChoice = "zstd" }, true },
        { TransferOptions.Archive with { Compress = true, CompressChoice = "zlibx" }, false },
        { TransferOptions.Archive with { Compress = true, CompressChoice = "zlib" }, true },
        { new TransferOptions { Dirs = true, Links = true, Delete = DeleteTiming.During, ItemizeChanges = 2 }, false },
        { TransferOptions.Archive with { HardLinks = true, AlwaysChecksum = true, IgnoreTimes = true, Relative = true, NumericIds = true }, true },
        { TransferOptions.Archive with { Partial = true, TempDir = "tmp dir", BlockSize = 4096, Timeout = 9, BandwidthLimit = 7 }, false },
        { TransferOptions.Archive with { DryRun = true, DeleteMissingArgs = true, Quiet = true, WholeFile = true, Protocol = 29 }, true },
        { new TransferOptions { Devices = false, Specials = true, Recursive = true }, false },
    };

    [Theory]
    [MemberData(nameof(ClientOptions))]
    public void What_our_client_sends_parses_back_into_the_same_options(TransferOptions sent, bool daemonSends)
    {
        List<string> argv = ServerArguments.Build(sent, daemonSends, ["mod/x"]);
        // A daemon takes the backslashes of safe_arg off the option words before "." as it reads them (io.c: read_args).
        int dot = argv.IndexOf(".");
        argv = [.. argv.Take(dot).Select(SafeArgument.Unescape), .. argv.Skip(dot)];
        ServerRequest r = ServerArgumentParser.Parse(argv, out string? error);
        Assert.Null(error);
        Assert.Equal(daemonSends, r.IsSender);
        Assert.Equal(["mod/x"], r.Paths);
        TransferOptions got = r.Options;
        // What the server never learns from the vector: the client's own protocol ceiling, and receiver-only options of
        // a pull (stock's server_options sends them only to a receiving server).
        TransferOptions expected = sent with
        {
            Protocol = 32,
            Delete = daemonSends ? DeleteTiming.None : sent.Delete == DeleteTiming.None && sent.DeleteExcluded ? DeleteTiming.Default : sent.Delete,
            DeleteExcluded = !daemonSends && sent.DeleteExcluded,
            SizeOnly = !daemonSends && sent.SizeOnly,
            Stats = !daemonSends && sent.Stats,
            Partial = !daemonSends && sent.Partial,
            TempDir = daemonSends ? null : sent.TempDir,
            ItemizeChanges = daemonSends ? 0 : sent.ItemizeChanges,
        };
        Assert.Equal(expected, got);
        Assert.Equal(sent.Protocol >= 30, r.HasClientInfo);
    }

    [Theory]
    [InlineData("-vlogDtpSre.iLsfxCIvu --append", "The server does not support --sparse (-S)\n")]
    [InlineData("-vlogDtpNre.iLsfxCIvu", "The server does not support --crtimes (-N)\n")]
    [InlineData("-vlogDtpXXre.iLsfxCIvu --fake-super", "--fake-super conflicts with -XX\n")]
    [InlineData("--append --link-dest=../x", "The server does not support --append\n")]
    [InlineData("--append --append --compare-dest=../x", "The server does not support --append\n")]
    [InlineData("--inplace --delay-updates", "--inplace cannot be used with --delay-updates\n")]
    [InlineData("--append --partial-dir=.p", "--append cannot be used with --partial-dir\n")]
    [InlineData("--use-qsort", "--use-qsort: unknown option\n")]
    [InlineData("--partial-dir=a/../../up", "The server does not support --partial-dir with an absolute path or a '..' component\n")]
    [InlineData("--filter=x_gone", "The server does not support --filter\n")]
    [InlineData("--filter=-_x --filter=qq_y", "The server does not support --filter\n")]
    [InlineData("--suffix=a/b", "--suffix cannot contain slashes: a/b\n")]
    [InlineData("--timeout=x", "--timeout=x: bad numeric value\n")]
    [InlineData("--stats=1", "--stats: option does not take an argument\n")]
    public void What_the_server_does_not_implement_is_refused_by_name(string option, string message)
    {
        // (An absolute --partial-dir is placed, or refused, by the receiving side: RsyncServer, ReceivingSide.LocalName;
        // --filter is taken by a sending server only.)
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-r", .. option.Split(" "), ".", "mod/"], out string? error);
        Assert.Equal(message, error);
        Assert.Equal(["mod/"], r.Paths);
    }

    // A receiving server's own rules without a merge (Server/ServerReceiveRules.cs), -b with --safe-links (backup.c:
    // make_backup_inner's unsafe-link check) and --only-write-batch=X (a dry run that still asks for data).
    [Fact]
    public void A_receiving_servers_rules_safe_link_backups_and_only_write_batch_are_taken()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-rlbe.iLsfxCIvu", "--safe-links", "--filter=P_keep*",
            "--filter=-_*.tmp", "--only-write-batch=X", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(["P_keep*", "-_*.tmp"], r.FilterRules);
        Assert.True(r.Options.Backup && r.Options.SafeLinks);
        Assert.True(r.Options.DryRun && r.Options.OnlyWriteBatch);
        Assert.NotNull(r.Options.WriteBatch);
        ServerArgumentParser.Parse(["--server", "--sender", "-r", "--only-write-batch=X", ".", "mod/"], out error);
        Assert.Equal("The server does not support --only-write-batch\n", error);
    }

    // Merge rules for a receiving server: a '.' file is read as the server starts, a ':' one in each directory
    // (RsyncServer.VectorRules, ServerSources.PerDirectoryReader); the vector's words alone are checked here.
    [Fact]
    public void A_receiving_servers_merge_rules_are_taken()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-r", "--filter=._x", "--filter=:_.rsync-filter",
            "--filter=-_x", "--filter=dir-merge_.f", "--filter=:C", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(["._x", ":_.rsync-filter", "-_x", "dir-merge_.f", ":C"], r.FilterRules);
    }

    // options.c: server_options sends L, k and --copy-unsafe-links to a sending server; main.c: do_recv clears them on a
    // receiving one (they are the sender's).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Link_following_is_the_senders(bool sender)
    {
        string[] argv = sender ? ["--server", "--sender", "-rLke.iLsfxCIvu", "--copy-unsafe-links", "--safe-links", ".", "mod/"]
            : ["--server", "-rLke.iLsfxCIvu", "--copy-unsafe-links", "--safe-links", ".", "mod/"];
        ServerRequest r = ServerArgumentParser.Parse(argv, out string? error);
        Assert.Null(error);
        Assert.Equal(sender, r.Options.CopyLinks);
        Assert.Equal(sender, r.Options.CopyDirLinks);
        Assert.Equal(sender, r.Options.CopyUnsafeLinks);
        Assert.True(r.Options.SafeLinks);
    }

    // options.c: server_options sends K; main.c: do_server_sender clears keep_dirlinks ("Must be disabled on the sender").
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Keep_dirlinks_is_the_receivers(bool sender)
    {
        string[] argv = sender ? ["--server", "--sender", "-rKe.iLsfxCIvu", ".", "mod/"] : ["--server", "-rKe.iLsfxCIvu", ".", "mod/"];
        ServerRequest r = ServerArgumentParser.Parse(argv, out string? error);
        Assert.Null(error);
        Assert.Equal(!sender, r.Options.KeepDirLinks);
    }

    [Fact]
    public void A_refused_option_with_a_separate_value_does_not_swallow_the_paths()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-r", "--files-from", "list", ".", "mod/"], out string? error);
        Assert.Equal("The server does not support --files-from\n", error);
        Assert.Equal(["mod/"], r.Paths);
    }

    // options.c: server_options — a pulling client sends "--files-from=-" "--from0" (and --no-relative without -R; -R is
    // implied otherwise) or "--files-from FILE" for a list on the server's side; --skip-compress and
    // --ignore-missing-args go to a sending server too (protocol-notes §87).
    [Theory]
    [InlineData("-logDtpRe.LsfxCIvu --files-from=- --from0", "-", true, true)]
    [InlineData("-logDtpe.LsfxCIvu --files-from=- --from0 --no-relative", "-", true, false)]
    [InlineData("-logDtpe.LsfxCIvu --files-from=- -0", "-", true, true)]
    [InlineData("-trRe.iLsfxCIvu --files-from list.txt", "list.txt", false, true)]
    [InlineData("-tre.iLsfxCIvu --files-from a/b:c --from0 --no-R", "a/b:c", true, false)]
    public void A_sending_server_takes_a_files_from_list(string options, string list, bool from0, bool relative)
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "--sender", .. options.Split(' '), ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(list, r.FilesFrom);
        Assert.Equal(from0, r.From0);
        Assert.Equal(relative, r.Options.Relative);
        Assert.Equal(["mod/"], r.Paths);
    }

    [Theory]
    [InlineData("host:list")]
    [InlineData(":list")]
    [InlineData("user@host::mod/list")]
    [InlineData("[::1]:list")]
    [InlineData("rsync://host/mod/list")]
    public void A_files_from_with_a_host_is_refused_in_stocks_words(string value)
    {
        ServerArgumentParser.Parse(["--server", "--sender", "-r", "--files-from", value, ".", "mod/"], out string? error);
        Assert.Equal("The --files-from sent to the server cannot specify a host.\n", error);
    }

    [Fact]
    public void Skip_compress_and_ignore_missing_args_are_a_sending_servers()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "--sender", "-rze.iLsfxCIvu", "--skip-compress=gz/txt", "--ignore-missing-args", ".", "mod/a", "mod/b"], out string? error);
        Assert.Null(error);
        Assert.Equal("gz/txt", r.Options.SkipCompress);
        Assert.True(r.Options.IgnoreMissingArgs);
        Assert.Null(r.FilesFrom);
        Assert.False(r.Options.Relative);
    }

    [Fact]
    public void The_receiving_options_of_a_push_are_read_as_stock_settles_them()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-rb", "--backup-dir", "./old", "--suffix=.1", "--link-dest", "../a",
            "--link-dest", "/b", "--max-delete=-1", "--force", "--delay-updates", ".", "mod/"], out string? error);
        Assert.Null(error);
        TransferOptions o = r.Options;
        Assert.True(o.Backup);
        Assert.Equal("old", o.BackupDir);
        Assert.Equal(".1", o.BackupSuffix);
        Assert.Equal(AltDestKind.Link, o.AltDest);
        Assert.Equal(["../a", "/b"], o.AltDestDirs);
        Assert.Equal(0, o.MaxDelete);
        Assert.True(o.Force);
        Assert.Equal(".~tmp~", o.PartialDir);
        Assert.True(o.Partial);
        Assert.False(o.OmitDirTimes);
        Assert.True(ServerArgumentParser.Parse(["--server", "-rb", ".", "mod/"], out _).Options.OmitDirTimes);
    }

    // options.c: server_options sends -O and -J as letters to a receiving server (generator.c / rsync.c use them).
    [Fact]
    public void Omitted_directory_and_symlink_times_are_taken()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "-lOJtr", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.True(r.Options.OmitDirTimes);
        Assert.True(r.Options.OmitLinkTimes);
        Assert.False(r.Options.KeepsTime(isDirectory: true, isSymlink: false));
        Assert.False(r.Options.KeepsTime(isDirectory: false, isSymlink: true));
        Assert.True(r.Options.KeepsTime(isDirectory: false, isSymlink: false));
        TransferOptions plain = ServerArgumentParser.Parse(["--server", "-ltr", ".", "mod/"], out _).Options;
        Assert.True(plain.KeepsTime(isDirectory: true, isSymlink: false) && plain.KeepsTime(isDirectory: false, isSymlink: true));
    }

    [Theory]
    [InlineData("--copy-dest", "ERROR: the --copy-dest option conflicts with the --link-dest option\n")]
    [InlineData("--link-dest", "ERROR: at most 20 --link-dest args may be specified\n")]
    public void Basis_directories_are_one_kind_and_at_most_twenty(string second, string message)
    {
        var argv = new List<string> { "--server", "-r" };
        for (int i = 0; i < 20; i++)
            argv.AddRange(["--link-dest", "d" + i]);
        argv.AddRange([second, "x", ".", "mod/"]);
        ServerArgumentParser.Parse(argv, out string? error);
        Assert.Equal(message, error);
    }

    [Fact]
    public void A_vector_without_server_first_is_refused()
    {
        ServerArgumentParser.Parse(["-r", ".", "mod/"], out string? error);
        Assert.NotNull(error);
    }

    // options.c: server_options — -U in the letters (a second U is --open-noatime); the id maps (a --chown is sent as
    // "*:USER") and --no-implied-dirs to a receiving server.
    [Fact]
    public void Atimes_id_maps_and_implied_dirs_are_read_where_the_server_does_them()
    {
        ServerRequest pull = ServerArgumentParser.Parse(["--server", "--sender", "-rUe.iLsfxCIvu", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.True(pull.Options.Atimes);
        // A receiving server sets them (rsync.c: set_file_attrs).
        Assert.True(ServerArgumentParser.Parse(["--server", "-rUe.iLsfxCIvu", ".", "mod/"], out error).Options.Atimes);
        Assert.Null(error);
        // A second U is --open-noatime (options.c: parse_arguments), and so is the word, in either direction.
        ServerRequest twice = ServerArgumentParser.Parse(["--server", "--sender", "-rUUe.iLsfxCIvu", ".", "mod/"], out error);
        Assert.Null(error);
        Assert.True(twice.Options.Atimes && twice.Options.OpenNoAtime);
        Assert.True(ServerArgumentParser.Parse(["--server", "-re.iLsfxCIvu", "--open-noatime", ".", "mod/"], out error).Options.OpenNoAtime);
        Assert.Null(error);
        Assert.False(pull.Options.OpenNoAtime);

        ServerRequest push = ServerArgumentParser.Parse(
            ["--server", "-rRe.iLsfxCIvu", "--usermap=*:1", "--groupmap", "0-9:2", "--no-implied-dirs", ".", "mod/"], out error);
        Assert.Null(error);
        Assert.Equal(("*:1", "0-9:2", false), (push.Options.UserMap, push.Options.GroupMap, push.Options.ImpliedDirs));
        Assert.Equal(["mod/"], push.Paths);
        ServerArgumentParser.Parse(["--server", "-r", "--groupmap=*:1", "--groupmap=*:2", ".", "mod/"], out error);
        Assert.Equal("You can only specify --groupmap once.\n", error);
        Assert.True(ServerArgumentParser.Parse(["--server", "-r", ".", "mod/"], out _).Options.ImpliedDirs);
    }

    /// <summary>A sending server takes the vector's --filter rules in order (options.c: OPT_FILTER), the value inline or next.</summary>
    [Fact]
    public void A_sending_server_takes_filter_rules_in_order()
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", "--sender", "-r", "--filter=- a", "--filter", "._/rules", ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(["- a", "._/rules"], r.FilterRules);
        Assert.Equal(["mod/"], r.Paths);
    }

    // options.c: server_options sends --info with the flags the server's side uses; a server skips a word it does not
    // know (parse_output_words), and refuses only what its side would not print as stock's does.
    [Theory]
    [InlineData(false, "--info=stats2,del0,bogus", null)]
    [InlineData(false, "--info=skip", null)]
    [InlineData(false, "--info=skip2", "The server does not support --info=skip2\n")]
    [InlineData(false, "--info=backup", "The server does not support --info=backup\n")]
    [InlineData(true, "--info=backup", null)]
    [InlineData(true, "--info=stats3", null)]
    [InlineData(false, "--info=copy", null)]
    public void Info_flags_are_taken_and_what_our_side_does_not_print_is_refused(bool sender, string info, string? refusal)
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", .. sender ? new[] { "--sender" } : [], "-r", info, ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(refusal, ServerArgumentParser.InfoRefusal(r.Options.InfoGiven, r.IsSender));
        Assert.Equal(info.Contains("stats2", StringComparison.Ordinal) ? 2 : r.Options.InfoGiven[InfoFlag.Stats], r.Options.InfoGiven[InfoFlag.Stats]);
    }
}
