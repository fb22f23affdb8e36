using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.FileList;
using ManagedRsync.Checksums;
using ManagedRsync.Protocol;
using ManagedRsync.Session;

namespace ManagedRsync.InteropTests.Options;

/// <summary>
/// The daemon's side of one recorded connection, as a stock 3.5.0 daemon plays it up to the file list
/// (clientserver.c: rsync_module, compat.c: setup_protocol, exclude.c: recv_filter_list). What the server needs to
/// know of the client's options (is it the sender, does it negotiate names, does it read a filter list) it takes
/// from the recorded arguments, as the real server does by parsing them.
/// </summary>
internal sealed partial class RecordingSession : IMessageHandler, IAsyncDisposable
{
    /// <summary>rsync.h: BIGPATHBUFLEN on Linux, the bound on a line, an argument and a filter rule.</summary>
    private const int MaxLine = 4096 + 1024;

    private const int MaxArgs = 1024;
    private const int MaxFilesFromBytes = 1 << 20;

    // A 3.5.0 daemon's own lists (compat.c: valid_checksums, valid_compressions; a server adds "none").
    private const string ServerChecksums = "xxh128 xxh3 xxh64 md5 md4 sha1 none";
    private const string ServerCompressions = "zstd lz4 zlibx zlib none";

    private readonly Stream _stream;
    private readonly ClientRecord _record;
    private readonly Action<string> _named;
    private readonly MultiplexReader _in;
    private readonly MultiplexWriter _out;
    private readonly int _protocol;
    private CompatFlags _flags;
    private string? _checksum;

    public RecordingSession(Stream stream, int protocol, ClientRecord record, Action<string> named)
    {
        _protocol = protocol;
        _stream = stream;
        _record = record;
        _named = named;
        _in = new MultiplexReader(stream, this);
        _out = new MultiplexWriter(stream);
    }

    /// <summary>Where the session is, for the record when it stops early.</summary>
    public string Phase { get; private set; } = "before the greeting";

    public async Task RunAsync(CancellationToken ct)
    {
        await GreetAndOpenModuleAsync(ct);
        await ReadArgumentsAsync(ct);
        var options = new ServerView(_record.AllArgs.Select(a => Encoding.Latin1.GetString(a)).ToList(), _record.Protocol);
        await SetupProtocolAsync(options, ct);

        // The server's output is multiplexed from 23 (clientserver.c: rsync_module); the client's from 30, whether it
        // sends (main.c: client_run, protocol >= 30) or receives (need_messages_from_generator, compat.c).
        _out.StartMultiplexing();
        if (_record.Protocol >= 30)
            _in.StartMultiplexing();

        if (options.ReadsFilterList)
        {
            Phase = "in the filter list";
            _record.Filters = [];
            await ReadFilterListAsync(ct);
        }
        if (options.IsSender && options.FilesFromClient)
        {
            Phase = "in the forwarded --files-from names";
            await ReadFilesFromAsync(ct);
        }
        if (!options.IsSender)
        {
            Phase = "in the file list";
            await ReadFileListAsync(options, ct);
        }
        Phase = "after the recording";
    }

    private async Task GreetAndOpenModuleAsync(CancellationToken ct)
    {
        // compat.c: output_daemon_greeting; 3.5.0 sends its digest list at every --protocol it is told to speak.
        await _stream.WriteAsync(Encoding.ASCII.GetBytes($"@RSYNCD: {_protocol}.0 sha512 sha256 sha1 md5 md4\n"), ct);
        Phase = "in the greeting";
        string greeting = Encoding.Latin1.GetString(await ReadTerminatedAsync((byte)'\n', ct));
        // clientserver.c: exchange_protocols reads "@RSYNCD: %d.%d"; the session runs at the lower version.
        var match = GreetingPattern().Match(greeting);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, out int version))
            throw new InvalidDataException($"client greeting \"{greeting}\"");
        _record.ClientProtocol = version;
        _record.Protocol = Math.Min(version, _protocol);

        Phase = "before the module name";
        byte[] line = await ReadTerminatedAsync((byte)'\n', ct);
        string text = Encoding.Latin1.GetString(line);
        // clientserver.c: start_inband_exchange sends "#early_input=LEN\n" and the bytes before the module name.
        if (text.StartsWith("#early_input=", StringComparison.Ordinal))
        {
            if (!int.TryParse(text.AsSpan(13), out int length) || length is < 0 or > MaxLine)
                throw new InvalidDataException($"early input header \"{text}\"");
            _record.EarlyInput = new byte[length];
            await _in.ReadExactlyAsync(_record.EarlyInput, ct);
            text = Encoding.Latin1.GetString(await ReadTerminatedAsync((byte)'\n', ct));
        }
        _record.Module = text;
        _named(text);

        if (text.StartsWith(RecordingDaemon.AuthPrefix, StringComparison.Ordinal))
        {
            Phase = "in the authentication";
            await _stream.WriteAsync("@RSYNCD: AUTHREQD Zm9vYmFyY2hhbGxlbmdlMTIzNDU2\n"u8.ToArray(), ct);
            _record.AuthResponse = Encoding.Latin1.GetString(await ReadTerminatedAsync((byte)'\n', ct));
        }
        await _stream.WriteAsync("@RSYNCD: OK\n"u8.ToArray(), ct);
    }

    // clientserver.c: start_inband_exchange writes each argument then NUL and a final NUL from protocol 30, each
    // then '\n' and a final '\n' before; --secluded-args then sends the rest NUL-separated (rsync.c:
    // send_protected_args), starting with a new arg 0, "rsync".
    private async Task ReadArgumentsAsync(CancellationToken ct)
    {
        Phase = "in the server arguments";
        byte end = _record.Protocol >= 30 ? (byte)0 : (byte)'\n';
        await ReadListAsync(_record.Args, end, ct);
        string? shortOptions = ServerView.ShortOptionArg(_record.Args.Select(a => Encoding.Latin1.GetString(a)));
        if (shortOptions is not null && shortOptions.StartsWith("-s", StringComparison.Ordinal))
        {
            Phase = "in the protected arguments";
            _record.ProtectedArgs = [];
            await ReadListAsync(_record.ProtectedArgs, 0, ct);
        }
    }

    private async Task ReadListAsync(List<byte[]> into, byte terminator, CancellationToken ct)
    {
        while (await ReadTerminatedAsync(terminator, ct) is { Length: > 0 } arg)
        {
            if (into.Count == MaxArgs)
                throw new InvalidDataException($"more than {MaxArgs} arguments");
            into.Add(arg);
        }
    }

    // compat.c: setup_protocol as the server: compat flags from the client's capability letters (protocol >= 30),
    // then negotiate_the_strings (both sides send their lists, then read the peer's), then the checksum seed.
    private async Task SetupProtocolAsync(ServerView options, CancellationToken ct)
    {
        Phase = "in the session setup";
        bool negotiate = false;
        if (_record.Protocol >= 30)
        {
            string info = options.ClientInfo;
            var flags = CompatFlags.SymlinkTimes | CompatFlags.SymlinkIconv;
            if (info.Contains('f'))
                flags |= CompatFlags.SafeFlist;
            if (info.Contains('x'))
                flags |= CompatFlags.AvoidXattrOptim;
            if (info.Contains('C'))
                flags |= CompatFlags.ChecksumSeedFix;
            if (info.Contains('I'))
                flags |= CompatFlags.InplacePartialDir;
            if (info.Contains('u'))
                flags |= CompatFlags.Id0Names;
            if (info.Contains('v'))
            {
                negotiate = true;
                flags |= CompatFlags.VarintFlistFlags;
            }
            _flags = flags;
            // A pre-release 'V' client reads the flags as one byte.
            if (info.Contains('V'))
                _out.WriteByte((byte)(flags | CompatFlags.VarintFlistFlags));
            else
                _out.WriteVarInt((int)flags);
        }
        bool sendChecksums = negotiate && !options.ChecksumChoice;
        bool sendCompressions = negotiate && options.NegotiatesCompression;
        if (sendChecksums)
            _out.WriteVString(Encoding.ASCII.GetBytes(ServerChecksums));
        if (sendCompressions)
            _out.WriteVString(Encoding.ASCII.GetBytes(ServerCompressions));
        _out.Send();
        if (sendChecksums)
        {
            _record.ChecksumList = await SessionSetup.ReadVStringAsync(_in, ct);
            // compat.c: parse_negotiate_str: the server takes its own best among the client's names; a 3.5.0
            // server ranks them as SessionSetup.Checksums does.
            _checksum = SessionSetup.Choose(_record.ChecksumList, SessionSetup.Checksums, "checksum");
        }
        else if (options.ChecksumChoiceName is { } named)
        {
            _checksum = named;
        }
        if (sendCompressions)
            _record.CompressList = await SessionSetup.ReadVStringAsync(_in, ct);
        _out.WriteInt32(0x5EED);
        _out.Send();
    }

    // exclude.c: send_rules / recv_filter_list: int32 length + bytes per rule, int32 0 at the end.
    private async Task ReadFilterListAsync(CancellationToken ct)
    {
        while (true)
        {
            int length = await _in.ReadInt32Async(ct);
            if (length == 0)
                return;
            if (length is < 0 or >= MaxLine)
                throw new InvalidDataException($"filter rule length {length}");
            var rule = new byte[length];
            await _in.ReadExactlyAsync(rule, ct);
            _record.Filters!.Add(rule);
        }
    }

    // io.c: forward_filesfrom_data: the names NUL-terminated, then an empty name. Before protocol 31 they are sent
    // outside the multiplexing (io.c: start_filesfrom_forwarding), which at protocol 30 our reader can no longer
    // follow: that case is recorded as such.
    private async Task ReadFilesFromAsync(CancellationToken ct)
    {
        if (_record.Protocol == 30)
            throw new InvalidDataException("forwarded --files-from names at protocol 30 are not recorded");
        _record.FilesFrom = [];
        int total = 0;
        while (await ReadTerminatedAsync(0, ct) is { Length: > 0 } name)
        {
            total += name.Length + 1;
            if (total > MaxFilesFromBytes)
                throw new InvalidDataException("more than 1 MiB of --files-from names");
            _record.FilesFrom.Add(name);
        }
    }

    // A pushing client's file list (flist.c: send_file_list), read with the receiver's own decoder: the names it
    // sends and their modes show what the client's options selected (recursion, -R, sender-side filters, -L, ...).
    private async Task ReadFileListAsync(ServerView options, CancellationToken ct)
    {
        var session = new SessionParameters(_record.Protocol, _flags, 0x5EED, _checksum, "none");
        var transfer = new TransferOptions
        {
            Links = options.Letters.Contains('l'),
            Owner = options.Letters.Contains('o'),
            Group = options.Letters.Contains('g'),
            Devices = options.Letters.Contains('D'),
            Specials = options.Specials,
            HardLinks = options.Letters.Contains('H'),
            AlwaysChecksum = options.Letters.Contains('c'),
            NumericIds = options.NumericIds,
            Protocol = _record.Protocol,
            // -A and -X put each entry's ACLs and xattrs in the list (acls.c: send_acl, xattrs.c: send_xattr): a
            // reader without them takes the xattr set's first byte for the end of the list and the rest as entries
            // or id lists, which for one readdir order of the source hangs waiting for bytes that never come.
            Acls = options.Letters.Contains('A'),
            Xattrs = options.Letters.Count(c => c == 'X'),
        };
        // checksum.c: parse_csum_name: a named (negotiated or chosen) checksum, else the protocol's implied one.
        ChecksumVariant variant = _checksum is not null && ChecksumNames.TryParse(_checksum, out ChecksumKind kind)
            ? ChecksumNames.Resolve(kind, _record.Protocol)
            : ChecksumNames.Resolve(null, _record.Protocol);
        var reader = new FileListReader(_in, session, transfer, ChecksumNames.DigestLength(variant))
        {
            Xattrs = transfer.Xattrs > 0 ? new XattrTable(transfer.Xattrs, ManagedRsync.FileList.Xattrs.AmRoot(transfer)) : null,
        };
        // Sorted: the sender sends a directory's entries in the order it read them, and both sides sort the list
        // before using it (flist.c: flist_sort_and_clean), so the order on the wire carries no meaning.
        _record.FileList = (await reader.ReadAsync(ct))
            .Select(entry => $"{ClientRecord.Escape(entry.Name)} {Convert.ToString(entry.Mode, 8)}")
            .Order(StringComparer.Ordinal).ToList();
    }

    private async Task<byte[]> ReadTerminatedAsync(byte terminator, CancellationToken ct)
    {
        while (true)
        {
            int at = _in.Buffered.IndexOf(terminator);
            if (at >= 0)
            {
                byte[] item = _in.Buffered[..at].ToArray();
                _in.Advance(at + 1);
                return item;
            }
            if (_in.Buffered.Length >= MaxLine)
                throw new InvalidDataException($"no terminator 0x{terminator:X2} within {MaxLine} bytes");
            await _in.EnsureAsync(_in.Buffered.Length + 1, ct);
        }
    }

    // The client's own messages (MSG_INFO, MSG_NOOP, ...) are not part of the record.
    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload)
    {
    }

    public ValueTask DisposeAsync() => _in.DisposeAsync();

    [GeneratedRegex(@"^@RSYNCD: (\d+)")]
    private static partial Regex GreetingPattern();
}
