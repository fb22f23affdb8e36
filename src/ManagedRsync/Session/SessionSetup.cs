using System.Buffers;
using System.Text;

using ManagedRsync.Protocol;

namespace ManagedRsync.Session;

/// <summary>What the setup exchange settled (rsync compat.c: setup_protocol).</summary>
internal sealed record SessionParameters(
    int Protocol, CompatFlags Flags, int ChecksumSeed, string? Checksum, string Compression)
{
    /// <summary>rsync compat.c: xfer_flags_as_varint.</summary>
    public bool VarintFlistFlags => (Flags & CompatFlags.VarintFlistFlags) != 0;

    /// <summary>rsync compat.c: inc_recurse — the sender sends the file list directory by directory.</summary>
    public bool IncRecurse => (Flags & CompatFlags.IncRecurse) != 0;

    /// <summary>rsync compat.c: use_safe_inc_flist — io_error travels at the end of the file list.</summary>
    public bool SafeFlist => (Flags & CompatFlags.SafeFlist) != 0 || Protocol >= 31;

    /// <summary>rsync compat.c: xmit_id0_names.</summary>
    public bool Id0Names => (Flags & CompatFlags.Id0Names) != 0;

    /// <summary>rsync compat.c: proper_seed_order.</summary>
    public bool ChecksumSeedFix => (Flags & CompatFlags.ChecksumSeedFix) != 0;

    public bool Compressing => Compression != "none";
}

/// <summary>
/// Both halves of rsync compat.c: setup_protocol (the server's: <see cref="RunServerAsync"/>). The client's half: setup_protocol after a daemon handshake: read the compat flags
/// (protocol 30+), send our checksum and compression lists and rank the daemon's (when names are negotiated,
/// i.e. CF_VARINT_FLIST_FLAGS), then read the checksum seed. All of it is raw, before multiplexing.
/// </summary>
internal static class SessionSetup
{
    /// <summary>Checksums we implement, strongest first, as rsync orders them (checksum.c: valid_checksums_items).</summary>
    public static readonly string[] Checksums = ["xxh128", "xxh3", "xxh64", "md5", "md4", "sha1"];

    /// <summary>Compressions we implement (compat.c: valid_compressions_items); "none" is never offered by a client.</summary>
    public static readonly string[] Compressions = ["zstd", "lz4", "zlibx", "zlib"];

    /// <summary>rsync compat.c: MAX_NSTR_STRLEN, the bound on a negotiation string.</summary>
    public const int MaxNegotiationString = 256;

    public static async Task<SessionParameters> RunAsync(
        MultiplexReader input, MultiplexWriter output, int protocol, TransferOptions options, bool weSend, CancellationToken ct)
    {
        CheckOptionsForProtocol(protocol, options);
        var flags = CompatFlags.None;
        if (protocol >= 30)
        {
            flags = (CompatFlags)await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            // compat.c: setup_protocol — "Incompatible options specified for inc-recursive connection" (RERR_SYNTAX
            // in stock; a peer that turns on what we did not offer is a protocol violation here).
            if ((flags & CompatFlags.IncRecurse) != 0 && !IncrementalRecursion.Offered(options, weSend))
                throw RsyncException.Protocol("the daemon turned on incremental recursion, which we did not offer");
        }
        SessionParameters result = await NegotiateAsync(input, output, protocol, flags, options, peerIsServer: true, ct).ConfigureAwait(false);
        int seed = await input.ReadInt32Async(ct).ConfigureAwait(false);
        return result with { ChecksumSeed = seed };
    }

    /// <summary>
    /// rsync compat.c: setup_protocol — options an older protocol cannot carry end the session on either side once the
    /// version is settled (RERR_PROTOCOL).
    /// </summary>
    private static void CheckOptionsForProtocol(int protocol, TransferOptions options)
    {
        // compat.c: setup_protocol — a local copy (local_server) is exempt; ours refuses -X below 30 on its command line.
        if (protocol < 30 && options.Xattrs > 0)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"--xattrs requires protocol 30 or higher (negotiated {protocol}).");
        if (protocol < 29 && options.PruneEmptyDirs)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"--prune-empty-dirs requires protocol 29 or higher (negotiated {protocol}).");
        // compat.c: setup_protocol — "&& !local_server": a local copy keeps its ACLs at any protocol.
        if (protocol < 30 && options.Acls && !options.LocalServer)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"--acls requires protocol 30 or higher (negotiated {protocol}).");
    }

    // rsync compat.c: negotiate_the_strings — both lists go out before either is read; with a --checksum-choice or
    // --compress-choice that side sends no list and the named one is used; without negotiation (before 'v' / protocol
    // 30) the protocol implies the checksum (null here: md5 from 30, the md4 forms before, checksum.c:
    // parse_csum_name) and zlib.
    private static async Task<SessionParameters> NegotiateAsync(MultiplexReader input, MultiplexWriter output, int protocol,
        CompatFlags flags, TransferOptions options, bool peerIsServer, CancellationToken ct)
    {
        bool negotiated = (flags & CompatFlags.VarintFlistFlags) != 0;
        // compat.c: getenv_nstr — "When writing a batch file, we always negotiate an old-style choice": the lists are
        // md5 (md4 before protocol 30) and zlib, what a replay without negotiation assumes (a local copy's server half
        // has the client's options, as stock's forked child keeps write_batch).
        string[] checksums = options.WriteBatch is null ? Checksums : [protocol >= 30 ? "md5" : "md4"];
        string[] compressions = options.WriteBatch is null ? Compressions : ["zlib"];
        string? checksumChoice = options.ChecksumChoice;
        string? compressChoice = options.Compress ? ServerArguments.CompressionChoice(options) : null;

        if (checksumChoice is null && negotiated)
            output.WriteVString(Encoding.ASCII.GetBytes(string.Join(' ', checksums)));
        if (options.Compress && compressChoice is null && negotiated)
            output.WriteVString(Encoding.ASCII.GetBytes(string.Join(' ', compressions)));
        output.Send();

        string? checksum = null;
        if (checksumChoice is not null)
            checksum = Validate(checksumChoice.Split(',')[0], Checksums, "checksum");
        else if (negotiated)
            checksum = Choose(await ReadVStringAsync(input, ct).ConfigureAwait(false), checksums, "checksum", peerIsServer);

        string compression = "none";
        if (options.Compress)
        {
            if (compressChoice is not null)
                compression = compressChoice == "none" ? "none" : Validate(compressChoice, Compressions, "compress");
            else if (negotiated)
                compression = Choose(await ReadVStringAsync(input, ct).ConfigureAwait(false), compressions, "compress", peerIsServer);
            else
                compression = "zlib";
        }
        return new SessionParameters(protocol, flags, 0, checksum, compression);
    }

    /// <summary>The oldest and newest protocols we speak (rsync.h: MIN_PROTOCOL_VERSION is 20; we implement 27-32).</summary>
    public const int MinProtocol = 27;

    /// <inheritdoc cref="MinProtocol"/>
    public const int MaxProtocol = 32;

    /// <summary>
    /// rsync compat.c: setup_protocol when the versions are not known yet (a remote shell or a local copy; a daemon
    /// states them in its greeting instead): both sides write their version as an int32 before reading the other's,
    /// and the lower one is spoken. A peer outside what we speak ends the session as stock's "protocol version
    /// mismatch -- is your shell clean?" does (RERR_PROTOCOL).
    /// </summary>
    public static async Task<int> ExchangeVersionsAsync(MultiplexReader input, MultiplexWriter output, int ours, CancellationToken ct)
    {
        output.WriteInt32(ours);
        output.Send();
        int theirs = await input.ReadInt32Async(ct).ConfigureAwait(false);
        if (theirs < MinProtocol || theirs > 40)
            throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                $"protocol version mismatch -- is your shell clean? (the peer speaks {theirs}, we speak {MinProtocol}-{MaxProtocol})");
        return Math.Min(ours, theirs);
    }

    /// <summary>
    /// The server's half of rsync compat.c: setup_protocol (a receiving server, main.c: start_server). From protocol 30
    /// it writes the compatibility flags, chosen from the client's "-e" capability letters (<paramref name="clientInfo"/>,
    /// compat.c: set_allow_inc_recurse reads them; CF_INC_RECURSE when the client offered 'i' and this server's role
    /// takes it: <see cref="IncrementalRecursion.ServerSends"/>, <see cref="IncrementalRecursion.ServerReceives"/>);
    /// then both sides send their checksum and compression lists
    /// before reading the other's (negotiate_the_strings, when 'v' made names negotiable) and each picks the name it
    /// ranks highest of the other's list (parse_negotiate_str); last the server writes the checksum seed
    /// (time ^ pid &lt;&lt; 6 in stock; any int32 is valid).
    /// </summary>
    public static async Task<SessionParameters> RunServerAsync(MultiplexReader input, MultiplexWriter output, int protocol,
        TransferOptions options, string clientInfo, bool serverSends, int checksumSeed, CancellationToken ct)
    {
        CheckOptionsForProtocol(protocol, options);
        var flags = CompatFlags.None;
        if (protocol >= 30)
        {
            flags = CompatFlags.SymlinkTimes;
            if (clientInfo.Contains('i') && (serverSends ? IncrementalRecursion.ServerSends(options) : IncrementalRecursion.ServerReceives(options)))
                flags |= CompatFlags.IncRecurse;
            foreach ((char letter, CompatFlags flag) in s_clientInfoFlags)
            {
                if (clientInfo.Contains(letter))
                    flags |= flag;
            }
            output.WriteVarInt((int)flags);
        }
        SessionParameters result = await NegotiateAsync(input, output, protocol, flags, options, peerIsServer: false, ct).ConfigureAwait(false);
        output.WriteInt32(checksumSeed);
        output.Send();
        return result with { ChecksumSeed = checksumSeed };
    }

    // rsync compat.c: setup_protocol, am_server — the client's capability letters and the flags they turn on.
    private static readonly (char, CompatFlags)[] s_clientInfoFlags =
    [
        ('f', CompatFlags.SafeFlist), ('x', CompatFlags.AvoidXattrOptim), ('C', CompatFlags.ChecksumSeedFix),
        ('I', CompatFlags.InplacePartialDir), ('u', CompatFlags.Id0Names), ('v', CompatFlags.VarintFlistFlags),
    ];

    private static string Validate(string name, string[] ours, string kind) =>
        Array.IndexOf(ours, name) >= 0 ? name
            : throw new RsyncException(RsyncErrorKind.Unsupported, $"unknown {kind} name: {name}");

    /// <summary>
    /// rsync compat.c: parse_negotiate_str — of the names in the peer's list, pick the one we rank highest.
    /// </summary>
    internal static string Choose(string peerList, string[] ours, string kind, bool peerIsServer = true)
    {
        int best = int.MaxValue;
        foreach (string name in peerList.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int rank = Array.IndexOf(ours, name);
            if (rank >= 0 && rank < best)
                best = rank;
        }
        if (best == int.MaxValue)
            throw new RsyncException(RsyncErrorKind.Unsupported,
                peerIsServer
                    ? $"Failed to negotiate a {kind} choice.\nServer {kind} list: {peerList}\nClient {kind} list: {string.Join(' ', ours)}"
                    : $"Failed to negotiate a {kind} choice.\nClient {kind} list: {peerList}\nServer {kind} list: {string.Join(' ', ours)}");
        return ours[best];
    }

    /// <summary>rsync io.c: read_vstring, bounded by MAX_NSTR_STRLEN.</summary>
    internal static async ValueTask<string> ReadVStringAsync(MultiplexReader input, CancellationToken ct)
    {
        int len = await input.ReadByteAsync(ct).ConfigureAwait(false);
        if ((len & 0x80) != 0)
            len = ((len & 0x7F) << 8) | await input.ReadByteAsync(ct).ConfigureAwait(false);
        if (len >= MaxNegotiationString)
            throw RsyncException.Protocol($"negotiation string of {len} bytes from the daemon exceeds {MaxNegotiationString}");
        byte[] buffer = new byte[len];
        await input.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return Encoding.ASCII.GetString(buffer);
    }
}
