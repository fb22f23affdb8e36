using System.Buffers.Binary;
using ManagedRsync.Destination;
using ManagedRsync.Protocol;

namespace ManagedRsync.Roles.Generator;

// --remove-source-files on the receiving side (rsync io.c: send_msg_success, generator.c: return_with_success,
// receiver.c: recv_files): the sender is told which entries the receiver has, and removes them.
internal sealed partial class GeneratorRole
{
    /// <summary>
    /// MSG_SUCCESS for entry <paramref name="ndx"/>, unless this is a dry run. Where stock checks
    /// `remove_source_files == 1` only --remove-source-files confirms; where it checks it as a flag
    /// (<paramref name="alsoForSentFiles"/>: a received file, a symlink made) the old --remove-sent-files does too.
    /// A local copy's own sender gets the device and inode of what is now at the name (io.c: the local_server
    /// form), so that it never removes the file the receiver has (the same directory on both sides).
    /// </summary>
    private void ConfirmToSender(int ndx, bool alsoForSentFiles)
    {
        if (Options.DryRun || !(Options.RemoveSourceFiles || (alsoForSentFiles && Options.RemoveSentFiles)))
            return;
        if (!run.LocalServer)
        {
            run.Connection.Out.WriteMessageInt(MessageCode.Success, ndx);
            return;
        }
        Span<byte> payload = stackalloc byte[20];
        BinaryPrimitives.WriteInt32LittleEndian(payload, ndx);
        EntryStatus? now = Destination?.Stat(NameOf(ndx));
        BinaryPrimitives.WriteInt64LittleEndian(payload[4..], now is { } st ? (long)st.Device : 0);
        BinaryPrimitives.WriteInt64LittleEndian(payload[12..], now is { } same ? (long)same.Inode : 0);
        run.Connection.Out.WriteMessage(MessageCode.Success, payload);
    }
}
