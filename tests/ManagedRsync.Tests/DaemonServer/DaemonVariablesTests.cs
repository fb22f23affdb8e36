using ManagedRsync.DaemonServer;

namespace ManagedRsync.Tests.DaemonServer;

/// <summary>loadparm.c: expand_vars with shell_escape — how a %RSYNC_*% value enters a command the shell runs.</summary>
public sealed class DaemonVariablesTests
{
    private static readonly Dictionary<string, string> Vars = new()
    {
        ["RSYNC_USER_NAME"] = "alice",
        ["RSYNC_MODULE_NAME"] = "mod",
        ["RSYNC_BAD"] = "$(id)",
        ["OPERATOR_OWN"] = "a b;c",
    };

    [Theory]
    [InlineData("echo %RSYNC_USER_NAME%", "echo 'alice'")]
    [InlineData("echo '%RSYNC_USER_NAME%'", "echo 'alice'")]
    [InlineData("echo \"%RSYNC_USER_NAME%\"", "echo \"'alice'\"")]
    [InlineData("echo \"it's %RSYNC_USER_NAME%\" %RSYNC_MODULE_NAME%", "echo \"it's 'alice'\" 'mod'")]
    [InlineData("echo \\'%RSYNC_USER_NAME%", "echo \\''alice'")]
    [InlineData("sh -c 'echo %RSYNC_USER_NAME%'", "sh -c 'echo alice'")]
    [InlineData("echo %OPERATOR_OWN% %UNSET_THING% 100%", "echo a b;c %UNSET_THING% 100%")]
    public void A_connection_value_is_quoted_for_where_it_stands(string template, string expected)
    {
        Assert.Equal(expected, DaemonVariables.ExpandForShell(template, Vars, out string? refused));
        Assert.Null(refused);
    }

    [Theory]
    [InlineData("$(id)")]
    [InlineData("a b")]
    [InlineData("x;y")]
    [InlineData("it's")]
    [InlineData("!x")]
    [InlineData("~root")]
    [InlineData("{a,b}")]
    [InlineData("a\tb")]
    [InlineData("a\u007fb")]
    public void A_value_that_is_shell_syntax_is_refused(string value)
    {
        var vars = new Dictionary<string, string> { ["RSYNC_REQUEST"] = value };
        Assert.Null(DaemonVariables.ExpandForShell("sh -c \"printf %RSYNC_REQUEST%\"", vars, out string? refused));
        Assert.Equal("RSYNC_REQUEST", refused);
        // The same value outside a command (a path, a comment) goes in as it is.
        Assert.Equal(value, DaemonVariables.Expand("%RSYNC_REQUEST%", vars));
    }
}

/// <summary>A module's shell hooks are read with their %VAR% still in them, for XferExec to expand for the shell.</summary>
public sealed class ShellHookTextTests
{
    [Fact]
    public void A_hook_keeps_its_variables_until_expanded_for_the_shell()
    {
        // PATH is set in every environment: a plain read would put its value in unquoted.
        DaemonConfig config = DaemonConfigParser.Parse("[m]\npath = /tmp\npre-xfer exec = echo %PATH% %RSYNC_REQUEST%\npost-xfer exec = echo %PATH%\n");
        DaemonModule module = config.Find("m")!;
        Assert.Equal("echo %PATH% %RSYNC_REQUEST%", module.PreXferExec);
        Assert.Equal("echo %PATH%", module.PostXferExec);
        XferExec? exec = XferExec.Expand(null, module.PreXferExec, module.PostXferExec,
            new Dictionary<string, string> { ["RSYNC_REQUEST"] = "a;b" }, out string? refused);
        Assert.Null(exec);
        Assert.Equal("RSYNC_REQUEST", refused);
    }
}
