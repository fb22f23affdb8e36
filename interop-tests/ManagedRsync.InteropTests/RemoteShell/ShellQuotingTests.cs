using System.Text;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.InteropTests.Options;

namespace ManagedRsync.InteropTests.RemoteShell;

/// <summary>
/// How the remote command quotes what the user typed (options.c: safe_arg; main.c: do_cmd, start_client), compared
/// with stock rsync 3.5.0 through the <see cref="RecordingShell"/>: the -e command's own quoting, USER@ and IPv6 hosts,
/// paths with spaces, quotes, '$', wildcards, backslashes, a leading '-' or '~', several pulled sources, --rsync-path,
/// -s, --old-args (once and twice) and their environment variables.
/// </summary>
public sealed class ShellQuotingTests
{
    private static readonly Dictionary<string, string?> OldArgsEnv = new() { ["RSYNC_OLD_ARGS"] = "1" };
    private static readonly Dictionary<string, string?> OldArgs2Env = new() { ["RSYNC_OLD_ARGS"] = "2" };
    private static readonly Dictionary<string, string?> SecludedEnv = new() { ["RSYNC_PROTECT_ARGS"] = "1" };
    private static readonly Dictionary<string, string?> NoShellEnv = new() { ["RSYNC_RSH"] = null };

    public static readonly TheoryData<string[], Dictionary<string, string?>?> Lines = new()
    {
        { ["-a", "{files}/src/", "host:"], null },
        { ["-a", "{files}/src/", "host:dest dir/it's \"q\" $x `y` (z) {a,b} *?[c]/"], null },
        { ["-a", "host:dest dir/it's \"q\" $x `y` (z) {a,b} *?[c]/", "{out}/dst/"], null },
        { ["-a", "{files}/src/", "host:-leading dash"], null },
        { ["-a", "host:-leading dash", "{out}/dst/"], null },
        { ["-a", "{files}/src/", "host:~user"], null },
        { ["-a", "host:~user", "{out}/dst/"], null },
        { ["-a", "host:~/in home", "{out}/dst/"], null },
        { ["-aR", "host:~user/./x", "{out}/dst/"], null },
        { ["-aR", "host:~user/x", "{out}/dst/"], null },
        { ["-a", "host:back\\slash a\\*b c\\", "{out}/dst/"], null },
        { ["-a", "{files}/src/", "host:back\\slash a\\*b c\\"], null },
        { ["-a", "host:one", ":two three", "host:four", "{out}/dst/"], null },
        { ["-a", "host:one", ":", "{out}/dst/"], null },
        { ["-a", "host:list me"], null },
        { ["-a", "user@host:path", "{out}/dst/"], null },
        { ["-a", "{files}/src/", "us@er@host:path"], null },
        { ["-a", "{files}/src/", "[::1]:path"], null },
        { ["-a", "-6", "{files}/src/", "[::1]:path"], null },
        { ["-a", "-4", "host:path", "{out}/dst/"], null },
        { ["-a", "-e", "{shell} -p 2222 -o 'Name=with space' -o \"A=\"\"B\"\"\" -o 'it''s'", "host:path", "{out}/dst/"], null },
        { ["-a", "-e", "{shell} -l other", "user@host:path", "{out}/dst/"], null },
        { ["-a", "-e", "  {shell}   -x  ", "{files}/src/", "host:path"], null },
        { ["-a", "--rsync-path=cd /tmp && rsync", "{files}/src/", "host:path"], null },
        { ["-a", "--rsync-path", "/opt/rsync 3/bin/rsync", "host:path", "{out}/dst/"], null },
        { ["-a", "-s", "{files}/src/", "host:dest dir/it's *"], null },
        { ["-av", "-s", "host:dest dir/it's *", "host:-x", ":", "{out}/dst/"], null },
        { ["-a", "-s", "-T", "tmp dir", "--checksum-choice=md5", "{files}/src/", "host:d"], null },
        { ["-a", "-T", "tmp dir $x", "--cc=md5", "{files}/src/", "host:d"], null },
        { ["-a", "--old-args", "{files}/src/", "host:dest dir/it's *"], null },
        { ["-a", "--old-args", "-T", "tmp dir", "host:dest dir/it's *", "{out}/dst/"], null },
        { ["-a", "--old-args", "--old-args", "-T", "tmp dir", "host:dest dir/it's *", "{out}/dst/"], null },
        { ["-a", "--old-args", "--no-old-args", "host:a b", "{out}/dst/"], null },
        { ["-a", "host:dest dir/it's *", "{out}/dst/"], OldArgsEnv },
        { ["-a", "-T", "tmp dir", "host:dest dir/it's *", "{out}/dst/"], OldArgs2Env },
        { ["-a", "-s", "host:dest dir/it's *", "{out}/dst/"], OldArgsEnv },
        { ["-a", "host:dest dir/it's *", "{out}/dst/"], SecludedEnv },
        { ["-a", "--no-s", "host:dest dir/it's *", "{out}/dst/"], SecludedEnv },
        { ["-a", "-s", "--old-args", "host:x", "{out}/dst/"], null },
        { ["-a", "--protocol=29", "-s", "host:a b", "{out}/dst/"], null },
        { ["-a", "-e", "{shell}", "host:path", "{out}/dst/"], NoShellEnv },
        { ["-a", "-e", "'{shell}", "host:path", "{out}/dst/"], null },
        { ["-a", "{files}/src/", "-host:path"], null },
        { ["-a", "host:a", "{out}/dst/", "other:b"], null },
        { ["-a", "host:a", "other:b", "{out}/dst/"], null },
        { ["-a", "host:a", "local", "{out}/dst/"], null },
        { ["-a", "--password-file={files}/password", "host:a", "{out}/dst/"], null },
        { ["-a", "--contimeout=3", "{files}/src/", "host:a"], null },
        { ["-a", "--port=2222", "--address=127.0.0.1", "{files}/src/", "host:a"], null },
        // A daemon over the remote shell (main.c: do_cmd with daemon_connection: "--server --daemon ." only; the
        // transfer's arguments go in-band; "-l USER" is left out when the -e words already hold "-l NAME").
        { ["-a", "-e", "{shell}", "host::mod/path", "{out}/dst/"], null },
        { ["-e", "{shell}", "user@host::"], null },
        { ["-e", "{shell}", "user@host::mod/dir it's *"], null },
        { ["-a", "-e", "{shell}", "{files}/src/", "user@host::mod/dest dir/"], null },
        { ["-a", "-e", "{shell} -l other", "user@host::mod", "{out}/dst/"], null },
        { ["-a", "-e", "{shell} -l -x", "user@host::mod", "{out}/dst/"], null },
        { ["-a", "-e", "{shell} -l", "user@host::mod", "{out}/dst/"], null },
        { ["-a", "-4", "-e", "{shell} -p 2222", "rsync://user@host:984/mod/x", "{out}/dst/"], null },
        { ["-a", "-6", "-e", "{shell}", "[::1]::mod", "{out}/dst/"], null },
        { ["-a", "--rsync-path=/opt/rsync 3/rsync --config=/etc/x y.conf", "-e", "{shell}", "host::mod", "{out}/dst/"], null },
        { ["-a", "--password-file={files}/password", "-e", "{shell}", "host::mod", "{out}/dst/"], null },
        { ["-a", "--contimeout=3", "-e", "{shell}", "host::mod", "{out}/dst/"], null },
        { ["-a", "-e", "{shell}", "-host::mod", "{out}/dst/"], null },
        { ["-a", "-e", "{shell}", "host::mod/a", "::mod/b", "{out}/dst/"], null },
    };

    [Theory]
    [MemberData(nameof(Lines))]
    public async Task TheRemoteCommandIsStocks(string[] args, Dictionary<string, string?>? environment)
    {
        string root = StockRsyncRunner.CreateTempDirectory("shellquote");
        try
        {
            var runner = new ShellRowRunner(root);
            RowResult result = await runner.RunCommandAsync(args, 0, environment);
            Assert.True(result.Matches, $"{string.Join(' ', args)}: {result.Reason}\n{result.Detail}");
            Assert.NotEqual("refused by name", result.Reason);
        }
        finally
        {
            await Fixtures.ToolProcess.RunAsync("rm", ["-rf", root]);
        }
    }
}
