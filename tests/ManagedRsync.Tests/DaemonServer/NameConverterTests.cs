using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>
/// A module's "name converter" over its pipes (clientserver.c: namecvt_call, write_pre_exec_args): what it answers is
/// hostile input to the daemon — an id must be all digits within 32 bits, an empty line is "none" (never root), a line
/// that fills the 1024-byte buffer is no answer; a name with a control character is never sent to it.
/// </summary>
public sealed class NameConverterTests
{
    private const string Script = """
        while IFS= read -r l; do
            case "$l" in
                "usr ok") echo 77 ;;
                "usr big") echo 4294967296 ;;
                "usr max") echo 4294967295 ;;
                "usr neg") echo -1 ;;
                "usr empty") echo ;;
                "usr sign") echo +5 ;;
                "uid 5") printf 'five\r\n' ;;
                "uid 9") printf '%s|%s|%s\n' "$RSYNC_REQUEST" "$RSYNC_ARG0" "$RSYNC_ARG1" ;;
                "grp nul") printf '1\0002\n' ;;
                "usr long") i=0; while [ $i -lt 1100 ]; do printf 1; i=$((i+1)); done; echo ;;
                *) echo "unexpected $l" ;;
            esac
        done
        """;

    [Fact]
    public void Answers_are_checked_before_they_are_believed()
    {
        var errors = new List<string>();
        using NameConverter converter = NameConverter.Start(Script, new Dictionary<string, string>(), errors.Add);
        converter.SendArguments("it's mod/x", ["-vlogDtpre.iLsfxCIvu", "it's\nnew", "."]);
        Assert.Equal(77, converter.UserId("ok"));
        Assert.Null(converter.UserId("big"));
        Assert.Equal(-1, converter.UserId("max")); // 4294967295 is a valid id_t; int carries it as -1, rsync's (uid_t)-1
        Assert.Null(converter.UserId("neg"));
        Assert.Null(converter.UserId("empty"));
        Assert.Null(converter.UserId("sign"));
        Assert.Equal("five", converter.UserName(5));
        Assert.Equal("it's mod/x|rsyncd|-vlogDtpre.iLsfxCIvu", converter.UserName(9));
        Assert.Null(converter.UserId("bad\nname"));
        Assert.Equal(["invalid name-converter token: bad\nname"], errors);
        Assert.Null(converter.UserId("long"));
    }

    // io.c: read_line_old stops at a NUL and leaves the rest of the line in the pipe, where the next request reads it:
    // stock's daemon then believes "2" for the next name, and so does this one.
    [Fact]
    public void A_nul_in_an_answer_is_no_answer_and_its_tail_answers_the_next_request()
    {
        using NameConverter converter = NameConverter.Start(Script, new Dictionary<string, string>(), _ => { });
        converter.SendArguments(null, []);
        Assert.Null(converter.GroupId("nul"));
        Assert.Equal(2, converter.UserId("ok"));
    }

    [Fact]
    public void Each_name_and_id_is_asked_about_once()
    {
        string log = Path.Combine(Path.GetTempPath(), "mrsync-namecvt-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (NameConverter converter = NameConverter.Start($"while IFS= read -r l; do echo \"$l\" >> '{log}'; echo 7; done",
                       new Dictionary<string, string>(), _ => { }))
            {
                converter.SendArguments(null, []);
                Assert.Equal(7, converter.UserId("a"));
                Assert.Equal(7, converter.UserId("a"));
                Assert.Equal(7, converter.GroupId("a"));
                Assert.Equal("7", converter.UserName(1));
            }
            Assert.Equal(["usr a", "grp a", "uid 1"], File.ReadAllLines(log));
        }
        finally
        {
            File.Delete(log);
        }
    }
}
