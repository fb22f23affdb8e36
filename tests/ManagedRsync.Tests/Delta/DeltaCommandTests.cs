using ManagedRsync.Cli;
using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Tests.Delta;

/// <summary>`mrsync signature|delta|patch` run in-process on temporary files.</summary>
public sealed class DeltaCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mrsync-delta-cli-").FullName;
    private readonly StringWriter _err = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string P(string name) => Path.Combine(_dir, name);

    private int Run(string command, params string[] args) => DeltaCommands.Run(
        new CliContext { Out = new StringWriter(), Error = _err, In = new StringReader("") }, command, args);

    [Theory]
    [InlineData("xxh128", "")]
    [InlineData("md5", "1024")]
    [InlineData("md4", "4096")]
    public void SignatureDeltaPatchRebuildsTheFile(string checksum, string blockSize)
    {
        var random = new Random(21);
        var basis = DeltaRoundTripTests.RandomBytes(random, 90_000);
        var newFile = DeltaRoundTripTests.Mutate(basis, DeltaRoundTripTests.Edit.Inserted, random);
        File.WriteAllBytes(P("basis"), basis);
        File.WriteAllBytes(P("new"), newFile);
        string[] block = blockSize.Length > 0 ? ["-b", blockSize] : [];
        Assert.Equal(0, Run("signature", ["--checksum", checksum, .. block, P("basis"), P("sig")]));
        Assert.Equal(0, Run("delta", P("sig"), P("new"), P("delta")));
        Assert.Equal(0, Run("patch", P("basis"), P("delta"), P("out")));
        Assert.Equal(newFile, File.ReadAllBytes(P("out")));
        Assert.True(new FileInfo(P("delta")).Length < newFile.Length / 4, "the delta should be much smaller than the file");
    }

    [Fact]
    public void BadArgumentsAreUsageErrors()
    {
        Assert.Equal(1, Run("signature", P("only-one")));
        Assert.Equal(1, Run("signature", "--checksum", "crc32", "a", "b"));
        Assert.Equal(1, Run("patch", "-", "d", "o"));
        Assert.Contains("usage: mrsync signature", _err.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MissingInputIsAFileError()
    {
        Assert.Equal(11, Run("signature", P("absent"), P("sig")));
    }

    [Fact]
    public void GarbageDeltaIsAProtocolError()
    {
        File.WriteAllBytes(P("basis"), new byte[10]);
        File.WriteAllBytes(P("delta"), "this is not a delta file at all, just text"u8.ToArray());
        Assert.Equal(12, Run("patch", P("basis"), P("delta"), P("out")));
        Assert.Contains("not a ManagedRsync delta file", _err.ToString(), StringComparison.Ordinal);
    }
}
