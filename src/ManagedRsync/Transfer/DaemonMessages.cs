using System.Buffers.Binary;
using ManagedRsync.Daemon;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;

namespace ManagedRsync.Transfer;

/// <summary>
/// What both client roles share about a daemon connection: opening the module, and the out-of-band messages that
/// mean the same to a pushing and a pulling client (rsync io.c: read_a_msg). Each session handles the few that
/// depend on its role (MSG_DELETED, MSG_NO_SEND) itself.
/// </summary>
internal static class DaemonMessages
{
    /// <summary>
    /// Handles a message whose meaning does not depend on the role; false when the caller must decide.
    /// </summary>
    /// <param name="code">The message's tag.</param>
    /// <param name="payload">The message's bytes, already bounded by the multiplex layer.</param>
    /// <param name="log">Where text messages go.</param>
    /// <param name="sawErrors">Set by MSG_ERROR_XFER: rsync log.c makes the run a partial transfer (exit 23).</param>
    /// <param name="remoteIoError">
    /// Or'ed with MSG_IO_ERROR's flags: the peer's file list may be incomplete, so nothing is deleted (rsync io.c).
    /// </param>
    public static bool TryHandle(MessageCode code, ReadOnlySpan<byte> payload, ITransferLog log, ref bool sawErrors,
        ref int remoteIoError)
    {
        switch (code)
        {
            case MessageCode.Info:
                log.Info(Text(payload));
                return true;
            case MessageCode.ErrorXfer:
                sawErrors = true;
                log.Error(Text(payload));
                return true;
            case MessageCode.Error or MessageCode.Warning or MessageCode.ErrorSocket or MessageCode.ErrorUtf8:
                log.Error(Text(payload));
                return true;
            case MessageCode.IoError:
                remoteIoError |= Int(payload, code);
                return true;
            case MessageCode.ErrorExit:
            {
                int exit = payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : (int)RsyncExitCode.Partial;
                throw new RsyncException(RsyncErrorKind.RemoteError,
                    Enum.IsDefined((RsyncExitCode)exit) ? (RsyncExitCode)exit : RsyncExitCode.Partial,
                    $"the daemon ended the session with exit code {exit}");
            }
            case MessageCode.Noop or MessageCode.IoTimeout or MessageCode.Success or MessageCode.Log:
                // Keep-alives, the daemon's timeout, and sibling-only bookkeeping.
                return true;
            default:
                return false;
        }
    }

    public static RsyncException Unexpected(MessageCode code) =>
        RsyncException.Protocol($"unexpected message tag {(int)code} from the daemon");

    /// <summary>A message's int32 payload (rsync io.c: send_msg_int), bounded to exactly four bytes.</summary>
    public static int Int(ReadOnlySpan<byte> payload, MessageCode code) =>
        payload.Length == 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload)
            : throw RsyncException.Protocol($"message {code} with a {payload.Length}-byte payload (expected 4)");

    /// <summary>
    /// A text message without its closing newline (the log adds its own), with the other control bytes and bytes that
    /// are not UTF-8 escaped as rsync's client prints them (log.c: rwrite, filtered_fwrite): a daemon's listing line
    /// for a name holding a newline reads "new\#012line".
    /// </summary>
    public static string Text(ReadOnlySpan<byte> payload)
    {
        if (!payload.IsEmpty && payload[^1] is (byte)'\n' or (byte)'\r')
            payload = payload[..^1];
        return FileNameEncoding.Display(payload);
    }

    /// <summary>
    /// Connects, authenticates and starts <paramref name="address"/>'s module with the server arguments (rsync
    /// clientserver.c: start_socket_client, start_inband_exchange); the connection is closed if that fails.
    /// </summary>
    public static async Task<DaemonSession> OpenModuleAsync(DaemonAddress address, int? port, TimeSpan? connectTimeout,
        int protocol, Func<string?>? password, IReadOnlyList<string> args, ITransferLog log, CancellationToken ct)
    {
        var connect = new DaemonConnectOptions
        {
            Host = address.Host,
            Port = address.EffectivePort(port),
            ConnectTimeout = connectTimeout,
            ProtocolVersion = protocol,
            ServerLine = log.Info,
        };
        DaemonSession daemon = await DaemonSession.ConnectAsync(connect, ct).ConfigureAwait(false);
        try
        {
            await daemon.StartModuleAsync(address.ModulePath, address.User, password ?? (() => null), args, ct).ConfigureAwait(false);
            return daemon;
        }
        catch
        {
            await daemon.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
