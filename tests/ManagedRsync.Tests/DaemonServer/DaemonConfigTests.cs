using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>rsyncd.conf read as rsync reads it (params.c, loadparm.c), and what mrsync refuses to start with.</summary>
public class DaemonConfigTests
{
    private static void InTempDirectory(Action<string> test)
    {
        string dir = Directory.CreateTempSubdirectory("mrsync-conf-").FullName;
        try
        {
            test(dir);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Sections_defaults_continuations_and_names_without_case_or_spaces()
    {
        var warnings = new List<string>();
        DaemonConfig config = DaemonConfigParser.Parse("""
            # comment
            ; another
            port = 8873
            Read Only = no
            frobnicate = 1
            [one]
                path = /srv/one/
                comment = first \
            module
            [two]
                path = /srv/two
                readonly = yes
                max connections = 3
            [global]
                motd file = /etc/motd
            """, warn: warnings.Add);

        Assert.Equal(8873, config.Port);
        Assert.Equal("/etc/motd", config.MotdFile);
        Assert.Equal(["one", "two"], config.Modules.Select(m => m.Name));
        DaemonModule one = config.Find("one")!;
        Assert.Equal("/srv/one", one.Path);
        Assert.Equal("first module", one.Comment);
        Assert.False(one.ReadOnly); // the global section's module parameter is every module's default
        Assert.True(config.Find("two")!.ReadOnly);
        Assert.Equal(3, config.Find("two")!.MaxConnections);
        Assert.Equal(["Unknown Parameter encountered: \"frobnicate\"", "IGNORING unknown parameter \"frobnicate\""], warnings);
    }

    [Fact]
    public void Dparams_override_the_global_section()
    {
        DaemonConfig config = DaemonConfigParser.Parse("port = 1\n[m]\npath = /x\n", dparams: ["port=2", "read only=false"]);
        Assert.Equal(2, config.Port);
        Assert.False(config.Find("m")!.ReadOnly);
        Assert.Throws<DaemonConfigException>(() => DaemonConfigParser.Parse("[m]\npath = /x\n", dparams: ["nosuch=1"]));
    }

    [Fact]
    public void Include_reads_another_file()
    {
        InTempDirectory(dir =>
        {
            File.WriteAllText(Path.Combine(dir, "more.inc"), "[extra]\npath = /srv/extra\n");
            DaemonConfig config = DaemonConfigParser.Parse("&include more.inc\n[main]\npath = /srv/main\n", dir);
            Assert.Equal(["extra", "main"], config.Modules.Select(m => m.Name));
        });
    }

    // params.c: include_config — a directory named by &include gives its *.conf files (in name order), one named by
    // &merge its *.inc files; Parameter takes an '=' after the directive's name ("&include = dir").
    [Fact]
    public void Include_and_merge_directories_read_conf_and_inc_files_and_take_an_equals_sign()
    {
        InTempDirectory(dir =>
        {
            Directory.CreateDirectory(Path.Combine(dir, "d"));
            File.WriteAllText(Path.Combine(dir, "d", "20-b.conf"), "[b]\npath = /srv/b\n");
            File.WriteAllText(Path.Combine(dir, "d", "10-a.conf"), "[a]\npath = /srv/a\n");
            File.WriteAllText(Path.Combine(dir, "d", "x.inc"), "[inc]\npath = /srv/inc\n");
            File.WriteAllText(Path.Combine(dir, "extra.inc"), "max connections = 7\n");
            DaemonConfig included = DaemonConfigParser.Parse($"&include = {dir}/d\n[m]\npath = /x\n&merge = {dir}/extra.inc\n", dir);
            Assert.Equal(["a", "b", "m"], included.Modules.Select(m => m.Name));
            Assert.Equal(7, included.Find("m")!.MaxConnections);
            DaemonConfig merged = DaemonConfigParser.Parse("&merge d\n", dir);
            Assert.Equal(["inc"], merged.Modules.Select(m => m.Name));
        });
    }

    // loadparm.c: do_section's "]push"/"]pop" — an &include'd file starts from the globals as they stand and what its
    // own global section sets ends with it; after the directive the reading is back in the global section.
    [Fact]
    public void An_included_files_globals_end_with_it_and_reading_goes_on_in_the_global_section()
    {
        InTempDirectory(dir =>
        {
            File.WriteAllText(Path.Combine(dir, "one.conf"), "read only = no\n[inner]\npath = /srv/inner\n");
            DaemonConfig config = DaemonConfigParser.Parse("timeout = 9\n[before]\npath = /b\n&include one.conf\ncomment = global now\n[after]\npath = /a\n", dir);
            Assert.False(config.Find("inner")!.ReadOnly);
            Assert.Equal(9, config.Find("inner")!.Timeout);
            Assert.True(config.Find("after")!.ReadOnly);
            Assert.Equal("global now", config.Find("after")!.Comment);
            Assert.Equal("", config.Find("before")!.Comment);
        });
    }

    // loadparm.c: do_parameter delays the expansion of a STRING or PATH to when it is read (after rsync_module has set
    // RSYNC_MODULE_NAME); expand_vars only takes a name that starts with an upper-case letter.
    [Fact]
    public void A_paths_variables_are_those_of_the_connection_reading_it()
    {
        DaemonConfig config = DaemonConfigParser.Parse("[served]\npath = /srv/%RSYNC_MODULE_NAME%/%home%/%NO_SUCH_VAR_HERE%\n");
        DaemonModule module = config.Find("served")!;
        Assert.Equal("/srv/%RSYNC_MODULE_NAME%/%home%/%NO_SUCH_VAR_HERE%", module.Path);
        Assert.Equal("/srv/served/%home%/%NO_SUCH_VAR_HERE%",
            module.ForConnection(new Dictionary<string, string> { ["RSYNC_MODULE_NAME"] = "served" }).Path);
    }

    // AFL's rsyncd.conf target (tests/ManagedRsync.Fuzz/corpus/rsyncd.conf/crash-*): the name ends at a NUL, as the C
    // string params.c reads does, instead of an unhandled ArgumentException from .NET's file calls.
    [Fact]
    public void Include_name_ends_at_a_nul()
    {
        InTempDirectory(dir =>
        {
            File.WriteAllText(Path.Combine(dir, "more.inc"), "[extra]\npath = /srv/extra\n");
            DaemonConfig config = DaemonConfigParser.Parse("&include more.inc\0junk\n[main]\npath = /srv/main\n", dir);
            Assert.Equal(["extra", "main"], config.Modules.Select(m => m.Name));
            var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigParser.Parse("&merge missing.conf\0\x01\n", dir));
            Assert.StartsWith($"Failed to open config file: {Path.Combine(dir, "missing.conf")}: ", e.Message, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("use chroot = yes", "\"use chroot\" is supported only by the NativeAOT mrsync running as root")]
    [InlineData("uid = nobody", "uid = nobody")]
    [InlineData("insecure links = yes", "insecure links")]
    public void What_mrsync_would_not_honour_is_refused_by_name(string line, string named)
    {
        DaemonConfig config = DaemonConfigParser.Parse($"use chroot = no\n[m]\npath = /x\n{line}\n");
        IReadOnlyList<string> problems = config.Validate(1000, n => n == "nobody" ? 65534u : null, _ => null, 1000);
        Assert.Contains(problems, p => p.Contains(named, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dont compress = *.gz *.[ch] *")]
    [InlineData("ignore nonreadable = yes")]
    [InlineData("fake super = yes")]
    [InlineData("open noatime = yes")]
    [InlineData("open noatime = no")]
    [InlineData("incoming chmod = Dg+s")]
    [InlineData("outgoing chmod = o-w")]
    [InlineData("incoming chmod = g=ur")]
    [InlineData("transfer logging = yes\nlog format = %o %C %f")]
    [InlineData("transfer logging = yes\nlog format = %o %b %c %f")]
    public void What_mrsync_honours_is_accepted(string line)
    {
        DaemonConfig config = DaemonConfigParser.Parse($"use chroot = no\n[m]\npath = /x\n{line}\n");
        Assert.Empty(config.Validate(1000, _ => null, _ => null, 1000));
    }

    // clientserver.c: start_daemon — the PROXY header and "daemon chroot" are global; the chroot needs a connection's own
    // process as root in a build that can serve chrooted (NativeAOT), else it is refused by name.
    [Fact]
    public void Proxy_protocol_is_honoured_and_daemon_chroot_only_where_a_connection_can_chroot()
    {
        DaemonConfig proxied = DaemonConfigParser.Parse("use chroot = no\nproxy protocol = yes\nproxy protocol hosts = 10.0.0.0/8\n[m]\npath = /x\nearly exec = /bin/true\nname converter = /bin/cat\n");
        Assert.Empty(proxied.Validate(1000, _ => null, _ => null, 1000));
        Assert.True(proxied.ProxyProtocol);
        Assert.Equal("10.0.0.0/8", proxied.ProxyProtocolHosts);

        DaemonConfig jailed = DaemonConfigParser.Parse("use chroot = no\ndaemon chroot = /srv/jail\n[m]\npath = /x\nuid = 0\ngid = 0\n");
        Assert.Contains(jailed.Validate(1000, _ => null, _ => null, 1000), p => p.Contains("\"daemon chroot\" is supported only", StringComparison.Ordinal));
        Assert.Contains(jailed.Validate(0, _ => 0, _ => 0, 0, ownProcesses: true, canChroot: false), p => p.Contains("daemon chroot", StringComparison.Ordinal));
        Assert.Empty(jailed.Validate(0, _ => 0, _ => 0, 0, ownProcesses: true, canChroot: true));
        Assert.True(jailed.NeedsOwnProcesses(0, 0));
        Assert.False(DaemonConfigParser.Parse("daemon chroot = /srv/jail\n[m]\npath = /x\n").NeedsOwnProcesses(1000, 1000));
    }

    // socket.c: open_socket_in sets the global "socket options" on the listening socket (an unknown name is reported).
    [Fact]
    public void Socket_options_are_honoured_in_the_global_section()
    {
        DaemonConfig config = DaemonConfigParser.Parse("use chroot = no\nsocket options = SO_KEEPALIVE NOSUCH\n[m]\npath = /x\n");
        Assert.Empty(config.Validate(1000, _ => null, _ => null, 1000));
        Assert.Equal("SO_KEEPALIVE NOSUCH", config.SocketOptions);
    }

    [Fact]
    public void As_root_uid_and_use_chroot_must_say_what_mrsync_does()
    {
        DaemonConfig bare = DaemonConfigParser.Parse("[m]\npath = /x\n");
        Assert.Equal(2, bare.Validate(0, _ => 0, _ => 0, 0).Count);
        DaemonConfig said = DaemonConfigParser.Parse("uid = root\ngid = root\nuse chroot = no\n[m]\npath = /x\n");
        Assert.Empty(said.Validate(0, n => n == "root" ? 0u : null, n => n == "root" ? 0u : null, 0));
    }

    // clientserver.c: rsync_module — a process of the connection's own (stock forks one) takes the module's uid/gid,
    // "nobody" when root names none; exec hooks, which stock starts before dropping, are refused with a change.
    [Fact]
    public void With_a_process_per_connection_root_serves_modules_as_their_users()
    {
        DaemonConfig config = DaemonConfigParser.Parse("use chroot = no\n[m]\npath = /x\n[n]\npath = /y\nuid = 1\ngid = 1 2\n");
        Assert.Empty(config.Validate(0, _ => null, _ => null, 0, ownProcesses: true));
        Assert.True(config.NeedsOwnProcesses(0, 0));
        DaemonConfig hooked = DaemonConfigParser.Parse("use chroot = no\n[m]\npath = /x\npre-xfer exec = /bin/true\n");
        Assert.Contains(hooked.Validate(0, _ => null, _ => null, 0, ownProcesses: true), p => p.Contains("pre-xfer exec", StringComparison.Ordinal));
        DaemonConfig asRoot = DaemonConfigParser.Parse("use chroot = no\nuid = 0\ngid = 0\n[m]\npath = /x\n");
        Assert.False(asRoot.NeedsOwnProcesses(0, 0));
        Assert.True(DaemonConfigParser.Parse("uid = 0\ngid = 0\n[m]\npath = /x\n").NeedsOwnProcesses(0, 0)); // chrooted
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.0/8", true)]
    [InlineData("127.0.0.1", "127.0.0.0/255.0.0.0", true)]
    [InlineData("10.1.2.3", "127.0.0.0/8", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("::1", "127.0.0.1", false)]
    [InlineData("127.0.0.1", "localhost", false)]
    public void Addresses_match_as_access_c_matches_them(string address, string token, bool matches) =>
        Assert.Equal(matches, HostAccess.MatchesAddress(address, token));

    [Fact]
    public async Task A_deny_host_name_that_does_not_resolve_fails_closed()
    {
        Assert.False(await HostAccess.IsAllowedAsync(null, "no-such-host.invalid", "127.0.0.1", "UNKNOWN", forwardLookup: true, default));
        Assert.True(await HostAccess.IsAllowedAsync("no-such-host.invalid 127.0.0.1", null, "127.0.0.1", "UNKNOWN", forwardLookup: true, default));
        Assert.False(await HostAccess.IsAllowedAsync("10.0.0.0/8", null, "127.0.0.1", "UNKNOWN", forwardLookup: true, default));
    }
}
