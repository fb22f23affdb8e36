using System.Buffers.Binary;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Cli.Options;
using ManagedRsync.Client;
using ManagedRsync.Daemon;
using ManagedRsync.DaemonServer;
using ManagedRsync.Delta;
using ManagedRsync.Delta.Tokens;
using ManagedRsync.FileList;
using ManagedRsync.Filters;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.Fuzz;

/// <summary>
/// The decoders that a peer's bytes (or a user's file) reach, one entry per fuzz target. An input starts with a short
/// header that picks the variant (protocol, codec, options) and goes on with the bytes the decoder reads, so one
/// corpus covers every protocol and codec. A target returns, or throws <see cref="RsyncException"/> (the decoder
/// refused the input, which is its job); any other exception — an index out of range, a null reference, an overflow,
/// an unbounded allocation — is a finding. AFL runs them through Program.cs; the unit tests replay the committed
/// corpus (seeds and past crashes) through the same entries on every CI run.
/// </summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["greeting"] = Refusing(Greeting),
        ["mux"] = Refusing(Multiplex),
        ["flist"] = Refusing(FileList),
        ["sums"] = Refusing(Sums),
        ["tokens"] = Refusing(Tokens),
        ["filter-rules"] = Refusing(FilterRules),
        ["files-from"] = Refusing(FilesFromList),
        ["password"] = Refusing(Password),
        ["address"] = Refusing(Address),
        ["options"] = Refusing(CommandLine),
        ["rsyncd.conf"] = Refusing(DaemonConfigText),
    };

    /// <summary>The protocols a header byte selects: every version the client speaks (27-32).</summary>
    private static int Protocol(byte selector) => 27 + selector % 6;

    private static Action<byte[]> Refusing(Action<byte[]> decode) => input =>
    {
        try
        {
            decode(input);
        }
        catch (RsyncException)
        {
        }
        catch (OptionException)
        {
            // The command line's refusal (rsync's "unknown option" and its kin, exit 1).
        }
        catch (DaemonConfigException)
        {
            // The daemon's refusal to load a config file (rsync params.c / loadparm.c complaints, exit 1).
        }
    };

    /// <summary>The daemon's first line (rsync clientserver.c: the "@RSYNCD: 32.0 sha512 ..." greeting).</summary>
    private static void Greeting(byte[] input)
    {
        if (DaemonGreeting.TryParse(Encoding.Latin1.GetString(input), out var greeting) && greeting.Protocol < 0)
            throw new InvalidOperationException("a greeting parsed to a negative protocol");
    }

    /// <summary>The multiplexed stream (rsync io.c: read_a_msg): every frame and message until the input ends.</summary>
    private static void Multiplex(byte[] input)
    {
        var reader = new MultiplexReader(new MemoryStream(input), new IgnoredMessages());
        try
        {
            reader.StartMultiplexing();
            var buffer = new byte[256];
            while (true)
                reader.ReadExactlyAsync(buffer, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The file list (rsync flist.c: recv_file_list). Header: [protocol selector] [option bits: 1 -H, 2 -c,
    /// 4 no -o/-g, 8 --numeric-ids, 16 --delete-missing-args]; then the list as it comes off the demultiplexed stream.
    /// </summary>
    private static void FileList(byte[] input)
    {
        if (input.Length < 2)
            return;
        int protocol = Protocol(input[0]);
        byte bits = input[1];
        var flags = protocol >= 30 ? CompatFlags.VarintFlistFlags | CompatFlags.SafeFlist | CompatFlags.Id0Names : CompatFlags.None;
        var session = new SessionParameters(protocol, flags, 0, "md5", "none");
        var options = TransferOptions.Archive with
        {
            HardLinks = (bits & 1) != 0,
            AlwaysChecksum = (bits & 2) != 0,
            Owner = (bits & 4) == 0,
            Group = (bits & 4) == 0,
            NumericIds = (bits & 8) != 0,
            DeleteMissingArgs = (bits & 16) != 0,
        };
        var reader = new MultiplexReader(new MemoryStream(input, 2, input.Length - 2), new IgnoredMessages());
        try
        {
            new FileListReader(reader, session, options, 16).ReadAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// The generator's block sums as the sender reads them (rsync io.c: read_sum_head, sender.c: receive_sums).
    /// Header: [protocol selector] [digest length selector]; then the sum header and the sums.
    /// </summary>
    private static void Sums(byte[] input)
    {
        if (input.Length < 2)
            return;
        int protocol = Protocol(input[0]);
        int digestLength = (input[1] % 4) switch { 0 => 16, 1 => 8, 2 => 20, _ => 2 };
        var body = input.AsSpan(2);
        int headSize = SumHeader.WireSize(protocol);
        if (body.Length < headSize)
            return;
        SumHeader head = SumHeader.Read(body[..headSize], protocol, digestLength);
        var signature = new Signature(head, ChecksumVariant.Md5, 0);
        // The signature grows with what arrives (as the sender's reader does), never with what the header claims.
        var sums = body[headSize..];
        int record = 4 + head.StrongLength;
        for (int i = 0; i < head.Count && sums.Length >= record; i++, sums = sums[record..])
            signature.Add(BinaryPrimitives.ReadUInt32LittleEndian(sums), sums.Slice(4, head.StrongLength));
    }

    private static readonly TokenCodec[] Codecs = [TokenCodec.None, TokenCodec.Zlib, TokenCodec.ZlibX, TokenCodec.Lz4, TokenCodec.Zstd];

    // Stock streams captured with --block-size=2048 (seed_corpus.py) name blocks up to a few thousand; a matched block's
    // bytes only feed the codec's history, so one block-sized buffer stands for every block of the basis.
    private const int BlockLength = 2048;
    private const int BlockCount = 1 << 16;
    private static readonly byte[] Block = [.. Enumerable.Range(0, BlockLength).Select(i => (byte)(i * 7))];

    /// <summary>
    /// One file's delta in a token codec (rsync token.c: recv_token), matched blocks seen as the receiver does.
    /// Header: [codec selector: none zlib zlibx lz4 zstd] [protocol selector]; then the token stream.
    /// </summary>
    private static void Tokens(byte[] input)
    {
        if (input.Length < 2)
            return;
        using var decoder = TokenCodecFactory.CreateDecoder(Codecs[input[0] % Codecs.Length], Protocol(input[1]),
            new MemoryStream(input, 2, input.Length - 2));
        decoder.BeginFile(BlockCount, 1 << 20);
        while (true)
        {
            switch (decoder.Read(out _, out int block))
            {
                case DeltaTokenKind.End:
                    return;
                case DeltaTokenKind.Match:
                    decoder.SeeMatch(Block);
                    break;
            }
        }
    }

    /// <summary>
    /// Filter rules (rsync exclude.c: parse_filter_str). Header: [0: rules from the peer, NUL-separated (the
    /// server's recv_filter_list), with the protocol in the second byte; 1: --filter lines; 2: --exclude lines].
    /// Merge files and stdin read as the input itself, so a ". file" rule goes one level deep.
    /// </summary>
    private static void FilterRules(byte[] input)
    {
        if (input.Length < 2)
            return;
        var builder = new FilterListBuilder(readFile: _ => input[2..], readStdin: () => input[2..], homeDirectory: "/nonexistent", cvsIgnoreVariable: "");
        ReadOnlySpan<byte> body = input.AsSpan(2);
        byte splitter = input[0] % 3 == 0 ? (byte)0 : (byte)'\n';
        foreach (var range in body.Split(splitter))
        {
            var rule = body[range];
            switch (input[0] % 3)
            {
                case 0: builder.AddWireRule(rule, Protocol(input[1])); break;
                case 1: builder.AddFilter(Encoding.Latin1.GetString(rule)); break;
                default: builder.AddExclude(Encoding.Latin1.GetString(rule)); break;
            }
        }
        builder.Build();
    }

    /// <summary>A --files-from list (rsync io.c: read_line). Header: [bit 1 --from0, bit 2 --relative].</summary>
    private static void FilesFromList(byte[] input)
    {
        if (input.Length < 1)
            return;
        foreach (byte[] name in FilesFrom.Parse(input.AsSpan(1), from0: (input[0] & 1) != 0, relativePaths: (input[0] & 2) != 0))
            FilesFrom.GetImpliedDirectories(name);
    }

    /// <summary>A password read from --password-file=- (rsync authenticate.c: getpassf reads its first line).</summary>
    private static void Password(byte[] input) =>
        DaemonPassword.Resolve("-", new StringReader(Encoding.UTF8.GetString(input)), _ => null, prompt: null);

    /// <summary>A source or destination argument: a daemon address (host::module, rsync://) or not.</summary>
    private static void Address(byte[] input)
    {
        // A port past 65535 is rsync's too (atoi, then getaddrinfo keeps the low 16 bits); 0 means "the default".
        if (DaemonAddress.TryParse(Encoding.UTF8.GetString(input), out var address) && address.Port is <= 0)
            throw new InvalidOperationException($"an address parsed to port {address.Port}");
    }

    /// <summary>An rsync command line (NUL-separated words) through mrsync's option parser (rsync options.c).</summary>
    private static void CommandLine(byte[] input) =>
        OptionParser.Parse(Encoding.UTF8.GetString(input).Split('\0'));

    /// <summary>
    /// The daemon's config file (rsync params.c: pm_process, loadparm.c: do_parameter), then every value a module's
    /// session reads from it and the start-up check. &amp;include / &amp;merge resolve against a directory that does not
    /// exist; an absolute directive names a file of the administrator's choosing (stock reads /dev/zero for ever too),
    /// so those inputs are not fuzzed.
    /// </summary>
    private static void DaemonConfigText(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (text.Contains("&include /", StringComparison.Ordinal) || text.Contains("&merge /", StringComparison.Ordinal))
            return;
        DaemonConfig config = DaemonConfigParser.Parse(text, "/nonexistent-fuzz", dparams: null, warn: _ => { });
        _ = (config.Port, config.Address, config.MotdFile, config.PidFile, config.ListenBacklog, config.LogFile, config.ReverseLookup);
        foreach (DaemonModule m in config.Modules)
        {
            _ = (m.Path, m.Comment, m.ReadOnly, m.WriteOnly, m.List, m.AuthUsers, m.SecretsFile, m.StrictModes, m.AuthDigest,
                m.HostsAllow, m.HostsDeny, m.MaxConnections, m.LockFile, m.Timeout, m.RefuseOptions, m.Filter,
                m.MungeSymlinksWhen(false, "/"), m.NumericIdsWhen(false), m.IgnoreErrors, m.TempDir);
            if (config.Find(m.Name) is null)
                throw new InvalidOperationException($"module [{m.Name}] parsed but cannot be found by its name");
        }
        config.Validate(1000, name => name == "me" ? 1000u : null, name => name == "me" ? 1000u : null, 1000);
    }

    private sealed class IgnoredMessages : IMessageHandler
    {
        public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
        {
        }
    }
}
