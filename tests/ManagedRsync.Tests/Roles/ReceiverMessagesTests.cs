using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Tests.Roles;

// The generator's wait for the receiver: settled files wake it only in the number it asked for; anything else at once.
// A cancelled token shows whether Next would have waited (it looks at the token only when it is about to wait).
public class ReceiverMessagesTests
{
    private static readonly CancellationToken Cancelled = new(canceled: true);

    [Fact]
    public void FewerSettledFilesThanWantedAreWaitedFor()
    {
        var messages = new ReceiverMessages();
        messages.FileSettled(4);
        messages.FileSettled(5);
        Assert.Throws<OperationCanceledException>(() => messages.Next(Cancelled, settledWanted: 3));
        messages.FileSettled(6);
        Assert.Equal(new ReceiverMessage(ReceiverMessageKind.FileSettled, 4), messages.Next(Cancelled, settledWanted: 3));
        // Taken one by one afterwards: what is queued is the caller's as soon as it asks for no more than that.
        Assert.Equal(new ReceiverMessage(ReceiverMessageKind.FileSettled, 5), messages.Next(Cancelled, settledWanted: 2));
        Assert.True(messages.TryNext(out ReceiverMessage last));
        Assert.Equal(6, last.Ndx);
        Assert.False(messages.TryNext(out _));
    }

    [Fact]
    public void AnyOtherMessageEndsTheWaitAndComesInOrder()
    {
        var messages = new ReceiverMessages();
        messages.FileSettled(1);
        Assert.Throws<OperationCanceledException>(() => messages.Next(Cancelled, settledWanted: int.MaxValue));
        messages.NewList();
        Assert.Equal(new ReceiverMessage(ReceiverMessageKind.FileSettled, 1), messages.Next(Cancelled, settledWanted: int.MaxValue));
        Assert.Equal(ReceiverMessageKind.NewList, messages.Next(Cancelled, settledWanted: int.MaxValue).Kind);
        Assert.Throws<OperationCanceledException>(() => messages.Next(Cancelled));
    }
}
