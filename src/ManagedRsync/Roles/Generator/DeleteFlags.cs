namespace ManagedRsync.Roles.Generator;

/// <summary>
/// rsync.h: the DEL_* flags delete.c's delete_item and delete_dir_contents are called with; --debug=del2/del3 print
/// them as a number ("delete_item(NAME) mode=OCTAL flags=N").
/// </summary>
[Flags]
internal enum DeleteFlags
{
    None = 0,
    /// <summary>Not root, and the entry is ours without owner write permission (generator.c: delete_in_dir).</summary>
    NoUidWrite = 1 << 0,
    /// <summary>A directory goes with its contents.</summary>
    Recurse = 1 << 1,
    /// <summary>delete_dir_contents has dealt with the contents already.</summary>
    DirIsEmpty = 1 << 2,
    ForFile = 1 << 3,
    ForDir = 1 << 4,
    ForSymlink = 1 << 5,
    ForDevice = 1 << 6,
    ForSpecial = 1 << 7,
    /// <summary>Making room for an entry of another kind: no "deleting" line, not counted, not limited by --max-delete.</summary>
    MakeRoom = ForFile | ForDir | ForSymlink | ForDevice | ForSpecial,
}
