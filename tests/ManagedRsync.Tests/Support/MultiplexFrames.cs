using System.Buffers.Binary;
using ManagedRsync.Protocol;

namespace ManagedRsync.Tests.Support;

/// <summary>
/// A multiplexed stream's frames made by hand, as a peer would send them, and a consumer on its own thread: io.c's 4-byte little-endian header (the tag
/// plus MPLEX_BASE, 7, in the top byte, the payload's length below it) and the payload.
/// </summary>
internal static class MultiplexFrames
{
    public static byte[] Frame(int tag, ReadOnlySpan<byte> payload)
    {
        var b = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, ((uint)(tag + 7) << 24) | (uint)payload.Length);
        payload.CopyTo(b.AsSpan(4));
        return b;
    }

    /// <summary>Runs <paramref name="work"/> on a thread of its own with its reads blocking there (the receiver's kind of consumer).</summary>
    public static Task OnOwnThread(MultiplexReader reader, Action work) => Task.Factory.StartNew(() =>
    {
        reader.BlockingConsumer = true;
        try
        {
            work();
        }
        finally
        {
            reader.BlockingConsumer = false;
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}

/// <summary>Keeps every message a multiplexed reader hands on, in order, with its text.</summary>
internal sealed class RecordingMessageHandler : IMessageHandler
{
    public List<(MessageCode Code, string Text)> Messages { get; } = [];

    public void OnMessage(MessageCode code, ReadOnlySpan<byte> payload) =>
        Messages.Add((code, System.Text.Encoding.UTF8.GetString(payload)));
}
