using System.Text;
using ManagedRsync.InteropTests.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// The recording daemon against stock rsync's client: it records what stock sends as protocol-notes.md describes it
/// (captured from a 3.5.0 client), at every protocol, with and without a filter list, password and --secluded-args.
/// </summary>
public sealed class RecordingDaemonTests : IAsyncLifetime
{
    private readonly RecordingDaemon _daemon = new();
    private readonly string _root = StockRsyncRunner.CreateTempDirectory("recd");
    private int _next;

    public Task InitializeAsync()
    {
        StockRsyncRunner.CreateTree(Path.Combine(_root, "src"), ["a.txt", "sub/b.txt"]);
        Directory.CreateDirectory(Path.Combine(_root, "dst"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<(ClientRecord Record, ProcessResult Stock)> RecordStockAsync(bool push, params string[] options)
    {
        string module = $"stock{Interlocked.Increment(ref _next)}";
        return await RecordStockAsync(push, module, options);
    }

    private async Task<(ClientRecord Record, ProcessResult Stock)> RecordStockAsync(bool push, string module,
        string[] options, IReadOnlyDictionary<string, string?>? environment = null, string? user = null)
    {
        var args = new List<string>(options);
        args.AddRange(push
            ? [Path.Combine(_root, "src") + "/", _daemon.Url(module, user)]
            : [_daemon.Url(module, user), Path.Combine(_root, "dst") + "/"]);
        ProcessResult stock = await StockRsyncRunner.RunAsync(args, environment);
        ClientRecord? record = await _daemon.TakeAsync(module);
        Assert.True(record is not null, "stock rsync did not open the module:\n" + stock);
        return (record, stock);
    }

    private static string[] Args(ClientRecord record) =>
        record.Args.Select(a => Encoding.UTF8.GetString(a)).ToArray();

    private static string[] Filters(ClientRecord record) =>
        record.Filters!.Select(a => Encoding.UTF8.GetString(a)).ToArray();

    [Fact]
    public async Task PushWithDeleteSendsTheCapturedArgumentsAndTheFilterList()
    {
        var (record, stock) = await RecordStockAsync(push: true, "-av", "--delete", "--exclude=x");
        Assert.Equal(["--server", "-vlogDtpre.iLsfxCIvu", "--delete", ".", record.Module + "/"], Args(record));
        Assert.Equal(["- x"], Filters(record));
        Assert.Equal("xxh128 xxh3 xxh64 md5 md4 sha1", record.ChecksumList);
        Assert.Null(record.CompressList);
        Assert.True(record.End == "complete", record.Render() + stock);
        Assert.Equal(32, record.Protocol);
    }

    [Fact]
    public async Task PushWithoutDeleteSendsNoFilterList()
    {
        var (record, _) = await RecordStockAsync(push: true, "-r", "--exclude=x");
        Assert.Null(record.Filters);
        Assert.Equal("complete", record.End);
    }

    [Fact]
    public async Task PullAlwaysSendsTheFilterListAndNegotiatesCompression()
    {
        var (record, stock) = await RecordStockAsync(push: false, "-az", "--exclude=*.o", "-f", "P keep", "-f", "H hide");
        Assert.Equal(["--server", "--sender", "-logDtprze.iLsfxCIvu", ".", record.Module + "/"], Args(record));
        // The protect rule is the receiver's own (exclude.c: send_rules leaves it out); the hide rule goes as "-s".
        Assert.Equal(["- *.o", "-s hide"], Filters(record));
        Assert.Equal("zstd lz4 zlibx zlib", record.CompressList);
        Assert.True(record.End == "complete", record.Render() + stock);
    }

    [Theory]
    [InlineData(29)]
    [InlineData(27)]
    public async Task OldProtocolsSendNewlineSeparatedArgumentsAndNoNegotiation(int protocol)
    {
        var (record, stock) = await RecordStockAsync(push: false, "-rz", $"--protocol={protocol}", "--exclude=x");
        Assert.Equal(["--server", "--sender", "-rz", ".", record.Module + "/"], Args(record));
        // exclude.c: get_rule_prefix: protocol 29 has the modern prefixes; before it an exclude is sent bare.
        Assert.Equal([protocol >= 29 ? "- x" : "x"], Filters(record));
        Assert.Null(record.ChecksumList);
        Assert.Equal(protocol, record.Protocol);
        Assert.True(record.End == "complete", record.Render() + stock);
    }

    [Fact]
    public async Task AnOlderDaemonLowersTheProtocol()
    {
        await using var old = new RecordingDaemon(protocol: 29);
        var args = new List<string> { "-r", old.Url("old"), Path.Combine(_root, "dst") + "/" };
        ProcessResult stock = await StockRsyncRunner.RunAsync(args);
        ClientRecord? record = await old.TakeAsync("old");
        Assert.True(record is not null, stock.ToString());
        Assert.Equal((32, 29), (record.ClientProtocol, record.Protocol));
        Assert.Equal(["--server", "--sender", "-r", ".", "old/"], Args(record));
        Assert.True(record.End == "complete", record.Render() + stock);
    }

    [Fact]
    public async Task PullForwardsFilesFromNamesByteForByte()
    {
        string list = Path.Combine(_root, "list");
        File.WriteAllBytes(list, [.. "a.txt\n"u8, .. "caf"u8, 0xE9, .. ".txt\n"u8]);
        var (record, stock) = await RecordStockAsync(push: false, "-a", "--files-from=" + list);
        Assert.Contains("--files-from=-", Args(record));
        Assert.Equal(["a.txt", "caf\\xE9.txt"], record.FilesFrom!.Select(n => ClientRecord.Escape(n)));
        Assert.True(record.End == "complete", record.Render() + stock);
    }

    [Fact]
    public async Task SecludedArgumentsAreRecordedAfterTheClearOnes()
    {
        var (record, stock) = await RecordStockAsync(push: false, "-s", "-r", "--numeric-ids");
        Assert.Equal(["--server", "--sender", "-sre.iLsfxCIvu"], Args(record));
        Assert.Equal(["rsync", "--numeric-ids", ".", record.Module + "/"],
            record.ProtectedArgs!.Select(a => Encoding.UTF8.GetString(a)));
        Assert.True(record.End == "complete", record.Render() + stock);
    }

    [Fact]
    public async Task PasswordIsAskedForAndTheResponseRecorded()
    {
        string module = RecordingDaemon.AuthPrefix + "stock";
        var (record, _) = await RecordStockAsync(push: false, module, ["-r"],
            new Dictionary<string, string?> { ["RSYNC_PASSWORD"] = "s3cret pass" }, user: "user");
        // authenticate.c: sha512 of password + challenge, as in protocol-notes.md section 2.
        Assert.StartsWith("user PX6MA5jz", record.AuthResponse);
        Assert.Equal("complete", record.End);
    }

    [Fact]
    public async Task NoClientMeansNoRecord()
    {
        Assert.Null(await _daemon.TakeAsync("never-opened"));
    }
}
