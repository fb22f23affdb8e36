using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>rsyncd.conf read as rsync reads it (params.c, loadparm.c), and what mrsync refuses to start with.</summary>
public class DaemonConfigTests
{
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
        string dir = Directory.CreateTempSubdirectory("mrsync-conf-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "more.inc"), "[extra]\npath = /srv/extra\n");
            DaemonConfig config = DaemonConfigParser.Parse("&include more.inc\n[main]\npath = /srv/main\n", dir);
            Assert.Equal(["extra", "main"], config.Modules.Select(m => m.Name));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // AFL's rsyncd.conf target (tests/ManagedRsync.Fuzz/corpus/rsyncd.conf/crash-*): the name ends at a NUL, as the C
    // string params.c reads does, instead of an unhandled ArgumentException from .NET's file calls.
    [Fact]
    public void Include_name_ends_at_a_nul()
    {
        string dir = Directory.CreateTempSubdirectory("mrsync-conf-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "more.inc"), "[extra]\npath = /srv/extra\n");
            DaemonConfig config = DaemonConfigParser.Parse("&include more.inc\0junk\n[main]\npath = /srv/main\n", dir);
            Assert.Equal(["extra", "main"], config.Modules.Select(m => m.Name));
            var e = Assert.Throws<DaemonConfigException>(() => DaemonConfigParser.Parse("&merge missing.conf\0\x01\n", dir));
            Assert.StartsWith($"Failed to open config file: {Path.Combine(dir, "missing.conf")}: ", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("use chroot = yes", "use chroot")]
    [InlineData("uid = nobody", "uid = nobody")]
    [InlineData("transfer logging = yes\nlog format = %o %b %f", "\"log format\" with %b")]
    [InlineData("transfer logging = yes\nlog format = %C", "\"log format\" with %C")]
    [InlineData("fake super = yes", "fake super")]
    [InlineData("incoming chmod = Dg+s", "incoming chmod")]
    [InlineData("outgoing chmod = o-w", "outgoing chmod")]
    public void What_mrsync_would_not_honour_is_refused_by_name(string line, string named)
    {
        DaemonConfig config = DaemonConfigParser.Parse($"use chroot = no\n[m]\npath = /x\n{line}\n");
        IReadOnlyList<string> problems = config.Validate(1000, n => n == "nobody" ? 65534u : null, _ => null, 1000);
        Assert.Contains(problems, p => p.Contains(named, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("dont compress = *.gz *.[ch] *")]
    [InlineData("ignore nonreadable = yes")]
    public void What_mrsync_honours_is_accepted(string line)
    {
        DaemonConfig config = DaemonConfigParser.Parse($"use chroot = no\n[m]\npath = /x\n{line}\n");
        Assert.Empty(config.Validate(1000, _ => null, _ => null, 1000));
    }

    [Fact]
    public void As_root_uid_and_use_chroot_must_say_what_mrsync_does()
    {
        DaemonConfig bare = DaemonConfigParser.Parse("[m]\npath = /x\n");
        Assert.Equal(2, bare.Validate(0, _ => 0, _ => 0, 0).Count);
        DaemonConfig said = DaemonConfigParser.Parse("uid = root\ngid = root\nuse chroot = no\n[m]\npath = /x\n");
        Assert.Empty(said.Validate(0, n => n == "root" ? 0u : null, n => n == "root" ? 0u : null, 0));
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
