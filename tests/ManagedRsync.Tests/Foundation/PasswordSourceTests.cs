using ManagedRsync.Cli;

namespace ManagedRsync.Tests.Foundation;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PasswordSourceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-pw-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static CliContext Context(string stdin = "", Dictionary<string, string>? env = null, bool terminal = false) => new()
    {
        Out = TextWriter.Null,
        Error = TextWriter.Null,
        In = new StringReader(stdin),
        StdinIsTerminal = terminal,
        GetEnvironmentVariable = name => env != null && env.TryGetValue(name, out var v) ? v : null,
    };

    private string File(string content, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N"));
        System.IO.File.WriteAllText(path, content);
        System.IO.File.SetUnixFileMode(path, mode);
        return path;
    }

    [Theory]
    [InlineData("secret\n", "secret")]
    [InlineData("secret\r\nsecond line\n", "secret")]
    [InlineData("\n\nafter blank lines\n", "after blank lines")]
    [InlineData("with spaces inside", "with spaces inside")]
    public void FirstLineOfThePasswordFile(string content, string expected)
    {
        Assert.Equal(expected, PasswordPrompt.Get(File(content), Context()));
    }

    [Fact]
    public void PasswordFileBeatsTheEnvironment()
    {
        Assert.Equal("fromfile", PasswordPrompt.Get(File("fromfile\n"), Context(env: new() { ["RSYNC_PASSWORD"] = "env" })));
    }

    [Fact]
    public void OtherAccessibleFileIsRefusedWithExit1()
    {
        string path = File("secret\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<RsyncException>(() => PasswordPrompt.Get(path, Context()));
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
        Assert.Equal("ERROR: password file must not be other-accessible", e.Message);
    }

    [Fact]
    public void GroupReadableFileIsAccepted()
    {
        // rsync checks only the "other" bits (st_mode & 06).
        string path = File("secret\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Equal("secret", PasswordPrompt.Get(path, Context()));
    }

    [Fact]
    public void AsRootTheFileMustBeOwnedByRoot()
    {
        Assert.True(Environment.UserName == "root", "this test needs to run as root to exercise the ownership rule");
        string path = File("secret\n");
        var chown = System.Diagnostics.Process.Start("chown", ["65534", path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
        var e = Assert.Throws<RsyncException>(() => PasswordPrompt.Get(path, Context()));
        Assert.Equal("ERROR: password file must be owned by root when running as root", e.Message);
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
    }

    [Fact]
    public void MissingOrEmptyFileIsExit1()
    {
        Assert.Equal(RsyncExitCode.Syntax,
            Assert.Throws<RsyncException>(() => PasswordPrompt.Get(Path.Combine(_dir, "nope"), Context())).ExitCode);
        var e = Assert.Throws<RsyncException>(() => PasswordPrompt.Get(File("\n"), Context()));
        Assert.StartsWith("ERROR: failed to read a password from", e.Message);
    }

    [Fact]
    public void DashReadsStdin()
    {
        Assert.Equal("typed", PasswordPrompt.Get("-", Context(stdin: "typed\nnext\n")));
    }

    [Fact]
    public void EnvironmentThenNoPromptWithoutTerminal()
    {
        Assert.Equal("env", PasswordPrompt.Get(null, Context(env: new() { ["RSYNC_PASSWORD"] = "env" })));
        Assert.Null(PasswordPrompt.Get(null, Context(stdin: "would-be-typed\n", terminal: false)));
    }

    private static void ChownNoFollow(string path, string owner)
    {
        var chown = System.Diagnostics.Process.Start("chown", ["-h", owner, path]);
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    // rsync testsuite password-file-symlink: a symlink owned by someone else is not followed, as the leaf or as a
    // parent directory (rsync syscall.c: open_no_attacker_symlinks). Stock 3.5.0 prints the refusal, then
    // "could not open password file PATH: Too many levels of symbolic links (40)", and exits 1.
    [Theory]
    [InlineData("leaf")]
    [InlineData("parent")]
    [InlineData("trusted link to an untrusted parent")]
    public void SymlinkOwnedByAnotherUserIsRefused(string where)
    {
        Assert.True(Environment.UserName == "root", "this test needs root to plant a symlink owned by another user");
        string target = Path.Combine(_dir, "real");
        Directory.CreateDirectory(target);
        string password = Path.Combine(target, "pw");
        System.IO.File.WriteAllText(password, "secret\n");
        System.IO.File.SetUnixFileMode(password, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string planted = Path.Combine(_dir, "planted");
        string path;
        if (where == "leaf")
        {
            System.IO.File.CreateSymbolicLink(planted, password);
            path = planted;
        }
        else
        {
            Directory.CreateSymbolicLink(planted, target);
            path = Path.Combine(planted, "pw");
            if (where != "parent")
            {
                string trusted = Path.Combine(_dir, "trusted");
                Directory.CreateSymbolicLink(trusted, "planted");
                path = Path.Combine(trusted, "pw");
            }
        }
        Assert.Equal("secret", PasswordPrompt.Get(path, Context())); // followed while we own every link
        ChownNoFollow(planted, "65534");

        var e = Assert.Throws<RsyncException>(() => PasswordPrompt.Get(path, Context()));
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
        Assert.Equal(
            "refusing to follow a symlink owned by an untrusted user; use --insecure-links locally or \"insecure links = yes\" " +
            $"in a daemon module ONLY if every path component is trusted\nrsync: could not open password file {path}: " +
            "Too many levels of symbolic links (40)", e.Message);
    }

    [Fact]
    public void SymlinkOwnedByRootIsFollowedThroughRelativeAndAbsoluteTargets()
    {
        string password = File("secret\n");
        string sub = Path.Combine(_dir, "sub");
        Directory.CreateDirectory(sub);
        System.IO.File.CreateSymbolicLink(Path.Combine(sub, "relative"), Path.Combine("..", Path.GetFileName(password)));
        Directory.CreateSymbolicLink(Path.Combine(_dir, "absolute"), sub);
        Assert.Equal("secret", PasswordPrompt.Get(Path.Combine(_dir, "absolute", "relative"), Context()));
    }

    [Fact]
    public void DirectoryAsPasswordFileIsExit1()
    {
        var e = Assert.Throws<RsyncException>(() => PasswordPrompt.Get(_dir, Context()));
        Assert.Equal(RsyncExitCode.Syntax, e.ExitCode);
        Assert.Equal($"ERROR: failed to read a password from {_dir}", e.Message);
    }
}
