using ManagedRsync.Delta;


namespace ManagedRsync.Roles.Receiver;

/// <summary>
/// The session's token decoder as seen by <see cref="DeltaPatcher"/> for one file: counts literal and matched bytes
/// for --stats, and stops a stream whose output outgrows what the file may hold. The sender sends what it reads, so a
/// file growing on the server legitimately exceeds its listed size, but a stream that repeats block matches (or
/// inflates literal data) without end must not fill our disk.
/// </summary>
internal sealed class BoundedDeltaSource(IDeltaSource inner, long limit, string name) : IDeltaSource
{
    public long Literal { get; private set; }

    public long Matched { get; private set; }

    public DeltaTokenKind Read(out ReadOnlySpan<byte> literal, out int blockIndex)
    {
        DeltaTokenKind kind = inner.Read(out literal, out blockIndex);
        if (kind == DeltaTokenKind.Literal)
        {
            Literal += literal.Length;
            CheckLimit();
        }
        return kind;
    }

    // The patcher hands every matched block back before writing it.
    public void SeeMatch(ReadOnlySpan<byte> data)
    {
        Matched += data.Length;
        CheckLimit();
        inner.SeeMatch(data);
    }

    private void CheckLimit()
    {
        if (Literal + Matched > limit)
            throw RsyncException.Protocol($"\"{name}\" grows past {limit} bytes, far beyond its listed size");
    }
}
