using System.Buffers;
using System.Text;

namespace ManagedRsync.Protocol;

/// <summary>What the setup exchange settled (rsync compat.c: setup_protocol).</summary>
internal sealed record SessionParameters(
    int Protocol, CompatFlags Flags, int ChecksumSeed, string? Checksum, string Compression)
{
    /// <summary>rsync compat.c: xfer_flags_as_varint.</summary>
    public bool VarintFlistFlags => (Flags & CompatFlags.VarintFlistFlags) != 0;

    /// <summary>rsync compat.c: use_safe_inc_flist — io_error travels at the end of the file list.</summary>
    public bool SafeFlist => (Flags & CompatFlags.SafeFlist) != 0 || Protocol >= 31;

    /// <summary>rsync compat.c: xmit_id0_names.</summary>
    public bool Id0Names => (Flags & CompatFlags.Id0Names) != 0;

    /// <summary>rsync compat.c: proper_seed_order.</summary>
    public bool ChecksumSeedFix => (Flags & CompatFlags.ChecksumSeedFix) != 0;

    public bool Compressing => Compression != "none";
}

/// <summary>
/// The client's half of rsync compat.c: setup_protocol after a daemon handshake: read the compat flags
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
        MultiplexReader input, MultiplexWriter output, int protocol, Transfer.TransferOptions options, CancellationToken ct)
    {
        var flags = CompatFlags.None;
        if (protocol >= 30)
        {
            flags = (CompatFlags)await input.ReadVarIntAsync(ct).ConfigureAwait(false);
            if ((flags & CompatFlags.IncRecurse) != 0)
                throw RsyncException.Protocol("the daemon turned on incremental recursion, which we did not offer");
        }
        bool negotiated = (flags & CompatFlags.VarintFlistFlags) != 0;

        string? checksumChoice = options.ChecksumChoice;
        string? compressChoice = options.Compress ? ServerArguments.CompressionChoice(options) : null;

        // rsync compat.c: negotiate_the_strings sends both lists before reading either.
        if (checksumChoice is null && negotiated)
            output.WriteVString(Encoding.ASCII.GetBytes(string.Join(' ', Checksums)));
        if (options.Compress && compressChoice is null && negotiated)
            output.WriteVString(Encoding.ASCII.GetBytes(string.Join(' ', Compressions)));
        output.Send();

        string? checksum;
        if (checksumChoice is not null)
        {
            checksum = Validate(checksumChoice.Split(',')[0], Checksums, "checksum");
        }
        else if (negotiated)
        {
            checksum = Choose(await ReadVStringAsync(input, ct).ConfigureAwait(false), Checksums, "checksum");
        }
        else
        {
            // Before negotiation existed the choice was implied by the protocol (rsync checksum.c: parse_csum_name):
            // md5 from 30, the md4 forms before; null leaves that to the checksum resolver.
            checksum = null;
        }

        string compression = "none";
        if (options.Compress)
        {
            if (compressChoice is not null)
                compression = compressChoice == "none" ? "none" : Validate(compressChoice, Compressions, "compress");
            else if (negotiated)
                compression = Choose(await ReadVStringAsync(input, ct).ConfigureAwait(false), Compressions, "compress");
            else
                compression = "zlib";
        }

        int seed = await input.ReadInt32Async(ct).ConfigureAwait(false);
        return new SessionParameters(protocol, flags, seed, checksum, compression);
    }

    private static string Validate(string name, string[] ours, string kind) =>
        Array.IndexOf(ours, name) >= 0 ? name
            : throw new RsyncException(RsyncErrorKind.Usage, RsyncExitCode.Unsupported, $"unknown {kind} name: {name}");

    /// <summary>
    /// rsync compat.c: parse_negotiate_str — of the names in the peer's list, pick the one we rank highest.
    /// </summary>
    internal static string Choose(string peerList, string[] ours, string kind)
    {
        int best = int.MaxValue;
        foreach (string name in peerList.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int rank = Array.IndexOf(ours, name);
            if (rank >= 0 && rank < best)
                best = rank;
        }
        if (best == int.MaxValue)
            throw new RsyncException(RsyncErrorKind.RemoteError, RsyncExitCode.Unsupported,
                $"Failed to negotiate a {kind} choice.\nServer {kind} list: {peerList}\nClient {kind} list: {string.Join(' ', ours)}");
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
