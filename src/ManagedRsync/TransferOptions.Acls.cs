namespace ManagedRsync;

public sealed partial record TransferOptions
{
    /// <summary>
    /// -A/--acls: each entry's access ACL (and a directory's default ACL) travels with the file list and is set on the
    /// receiving side (rsync acls.c). The command line turns on <see cref="Perms"/> with it (options.c: -A implies -p).
    /// </summary>
    public bool Acls { get; init; }

    /// <summary>Both halves run in this process (a local copy: stock's local_server), where -A needs no protocol 30.</summary>
    internal bool LocalServer { get; init; }
}
