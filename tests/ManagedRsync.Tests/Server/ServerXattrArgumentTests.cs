using ManagedRsync.Server;

namespace ManagedRsync.Tests.Server;

/// <summary>-X as a server reads it (options.c: 'X' counts; popt's --xattrs and --no-xattrs).</summary>
public sealed class ServerXattrArgumentTests
{
    [Theory]
    [InlineData("-vlogDtpXre.iLsfxCIvu", 1)]
    [InlineData("-vlogDtpXXre.iLsfxCIvu", 2)]
    [InlineData("-vlogDtpre.iLsfxCIvu --xattrs", 1)]
    [InlineData("-vlogDtpXre.iLsfxCIvu --no-xattrs", 0)]
    public void The_letters_and_long_names_count(string options, int level)
    {
        ServerRequest r = ServerArgumentParser.Parse(["--server", .. options.Split(' '), ".", "mod/"], out string? error);
        Assert.Null(error);
        Assert.Equal(level, r.Options.Xattrs);
    }
}
