namespace ManagedRsync.Protocol;

/// <summary>
/// Receives the out-of-band messages of a multiplexed input stream (everything but MSG_DATA), in stream order
/// relative to the data. An implementation throws to end the session (for example on MSG_ERROR_EXIT).
/// </summary>
internal interface IMessageHandler
{
    void OnMessage(MessageCode code, ReadOnlySpan<byte> payload);
}
