using System.Buffers.Binary;
using ManagedRsync.Platform;
using ManagedRsync.Protocol;


namespace ManagedRsync.Session;

/// <summary>
/// The out-of-band messages that mean the same to every role on either side of a connection (rsync io.c:
/// read_a_msg). Each role handles the few that depend on it (MSG_DELETED, MSG_NO_SEND, MSG_REDO) itself.
/// </summary>
internal static class PeerMessages
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
                // The peer's exit code travels as data; a short payload reports none.
                int? exit = payload.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(payload) : null;
                throw new RsyncException(RsyncErrorKind.RemoteError, $"the daemon ended the session with exit code {exit}")
                {
                    RemoteExitCode = exit,
                };
            }
            case MessageCode.Noop or MessageCode.Log:
                // Keep-alives and sibling-only bookkeeping (MSG_SUCCESS is the sender's:
                // --remove-source-files).
                return true;
            default:
                return false;
        }
    }

    /// <summary>A message this side never expects; <paramref name="peer"/> names the other side ("daemon", "client").</summary>
    public static RsyncException Unexpected(MessageCode code, string peer = "daemon") =>
        RsyncException.Protocol($"unexpected message tag {(int)code} from the {peer}");

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
}
