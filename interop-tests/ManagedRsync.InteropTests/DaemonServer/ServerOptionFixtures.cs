using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// Modules for the options a stock client sends a daemon (<see cref="ServerReceivingOptionTests"/>,
/// <see cref="RefuseOptionsTests"/>), served by stock rsync and by mrsync from the same generated config.
/// </summary>
public static class OptionModules
{
    /// <summary>Writable, nothing refused.</summary>
    public const string Writable = "wr";

    /// <summary>Writable, with the module's own rules (a backup or basis directory they exclude is rejected).</summary>
    public const string Excluding = "wrex";

    /// <summary>refuse options = delete-during (--del is the same capability).</summary>
    public const string RefuseDeleteDuring = "refdd";

    /// <summary>refuse options = del.</summary>
    public const string RefuseDel = "refdel";

    /// <summary>refuse options = delete (every deletion mode).</summary>
    public const string RefuseDelete = "refdelete";

    /// <summary>The allow-list idiom of rsyncd.conf(5): refuse options = * !a !v (read only).</summary>
    public const string AllowList = "allowav";

    /// <summary>refuse options = compress (any compression) and a wildcard: checksum*.</summary>
    public const string RefuseCompress = "refz";

    /// <summary>open noatime = yes: the daemon opens with O_NOATIME whatever the client says.</summary>
    public const string NoAtime = "noatime";

    /// <summary>open noatime = no: the client's --open-noatime is overruled.</summary>
    public const string AtimeMoves = "atimemoves";

    /// <summary>dont compress = *.gz * (a "*" word: zlib's level the least, stored blocks).</summary>
    public const string DontCompressAll = "nocompress";

    public static readonly IReadOnlyList<DaemonModule> All =
    [
        new(Writable, Comment: "writable"),
        new(Excluding, Comment: "writable with rules", Extra: ["exclude = /secret/ keep*/"]),
        new(RefuseDeleteDuring, Comment: "refuses delete-during", Extra: ["refuse options = delete-during"]),
        new(RefuseDel, Comment: "refuses del", Extra: ["refuse options = del"]),
        new(RefuseDelete, Comment: "refuses delete", Extra: ["refuse options = delete"]),
        new(AllowList, Comment: "allow-list", ReadOnly: true, Extra: ["refuse options = * !a !v"]),
        new(RefuseCompress, Comment: "refuses compress", ReadOnly: true, Extra: ["refuse options = compress checksum*"]),
        new(NoAtime, Comment: "open noatime", Extra: ["open noatime = yes"]),
        new(AtimeMoves, Comment: "no open noatime", Extra: ["open noatime = no"]),
        new(DontCompressAll, Comment: "dont compress all", ReadOnly: true, Extra: ["dont compress = *.gz *"]),
    ];
}

public sealed class StockOptionDaemonFixture : RsyncDaemonFixture
{
    protected override IReadOnlyList<DaemonModule> Modules => OptionModules.All;
}

public sealed class MrsyncOptionDaemonFixture : RsyncDaemonFixture
{
    public override string DaemonPath => MrsyncDaemonFixture.Executable;

    protected override IReadOnlyList<DaemonModule> Modules => OptionModules.All;
}

[CollectionDefinition(Name)]
public sealed class OptionDaemonCollection : ICollectionFixture<StockOptionDaemonFixture>, ICollectionFixture<MrsyncOptionDaemonFixture>
{
    public const string Name = "stock and mrsync daemons with option modules";
}
