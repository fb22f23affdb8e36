using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.Platform;

namespace ManagedRsync.Destination;

/// <summary>
/// Checks every file-list entry a server sends before the receiver acts on it: the name is relative and clean, within
/// length bounds, asked for, not a duplicate, and not below something that is not a directory. A failure is an
/// <see cref="RsyncException"/> that ends the session; nothing is "fixed up". The sender sends its list in the order
/// it walked the tree; the receiver sorts it afterwards (<see cref="FileList.FileListOrder"/>), so arrival order is not checked.
/// </summary>
/// <remarks>
/// rsync itself (flist.c: recv_file_entry) aborts on an unsafe name ("ABORTING due to unsafe pathname from sender",
/// RERR_UNSUPPORTED, after clean_fname with CFN_REFUSE_DOT_DOT_DIRS), on a non-directory "." (RERR_PROTOCOL) and on an
/// unrequested name (RERR_UNSUPPORTED); those exit codes are kept. A name listed twice in one list is let through and
/// cleared after the sort as stock clears it (flist.c: flist_sort_and_clean: a directory over a non-directory, else
/// the first), so that what came first decides the checks here and the other copy is never acted on: a stock sender
/// lists duplicates for ordinary command lines (`-R a a/b/c`, two sources holding the same name). Only the use of a
/// cleared copy is refused, and a name whose first copy came in an earlier list (ReceiveRun.ClearDuplicates).
/// </remarks>
public sealed class FileListGuard
{
    /// <summary>Longest name accepted, in bytes (MAXPATHLEN on Linux, including the terminating NUL).</summary>
    public const int MaxNameBytes = 4095;

    /// <summary>Longest single component, in bytes (NAME_MAX).</summary>
    public const int MaxComponentBytes = 255;

    /// <summary>Longest symlink target accepted, in bytes (rsync flist.c: linkname_len is bounded by MAXPATHLEN).</summary>
    public const int MaxSymlinkTargetBytes = 4095;

    private readonly RequestedNames _requested;
    // Every name accepted (its first copy), and whether that copy is a directory: one hash lookup an entry where a set of
    // the names and one of the non-directories took two, and two more to forget it.
    private readonly Dictionary<string, bool> _listed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _impliedDirectories = new(StringComparer.Ordinal);

    /// <summary>A guard for a file list answering <paramref name="requested"/> (the names the client asked for).</summary>
    public FileListGuard(RequestedNames requested) => _requested = requested;

    /// <summary>Accepts the next entry or throws.</summary>
    /// <param name="name">The entry's name.</param>
    /// <param name="isDirectory">Whether the entry is a directory.</param>
    /// <param name="nameChecked">The caller has passed the name through <see cref="CheckName"/> already.</param>
    /// <param name="soleList">
    /// The name is in an incremental part that lists no name twice: every entry of it lies directly in its directory,
    /// which gets no other part, so no other list can name a non-directory of it, nor anything below one. Such a
    /// non-directory is then checked (requested, its ancestors) but not held: nothing later could meet it here.
    /// </param>
    public void Accept(string name, bool isDirectory, bool nameChecked = false, bool soleList = false)
    {
        if (!nameChecked)
            CheckName(name, isDirectory);

        if (!_requested.Allows(name, isDirectory))
            throw Unsupported($"rejecting unrequested file-list name: {name}");

        // The ancestors of a name in the directory of the name before it were checked and recorded then: none is a
        // non-directory (one listed later is refused by the check below, as an implied directory), so the walk would
        // find and add nothing (every entry of an incremental list lies in one directory).
        int lastSlash = name.LastIndexOf('/');
        if (lastSlash >= 0 && !(_lastParent is { } last && name.AsSpan(0, lastSlash).SequenceEqual(last)))
        {
            for (int slash = name.IndexOf('/'); slash >= 0; slash = name.IndexOf('/', slash + 1))
            {
                string ancestor = name[..slash];
                if (_listed.TryGetValue(ancestor, out bool listedAsDirectory) && !listedAsDirectory)
                    throw RsyncException.Protocol($"file-list name \"{name}\" lies below \"{ancestor}\", which is not a directory");
                _impliedDirectories.Add(ancestor);
            }
            _lastParent = name[..lastSlash];
        }
        if (soleList && !isDirectory)
            return;
        if (!isDirectory && _impliedDirectories.Contains(name))
            throw RsyncException.Protocol($"file-list entry \"{name}\" is not a directory but has entries below it");

        ref bool listed = ref CollectionsMarshal.GetValueRefOrAddDefault(_listed, name, out bool exists);
        if (exists)
        {
            // Cleared after sorting (ReceiveRun.AcceptList); what is kept of the name is what came first here.
            (_duplicates ??= []).Add(name);
            return;
        }
        listed = isDirectory;
    }

    private List<string>? _duplicates;

    // The directory of the last name whose ancestors were walked.
    private string? _lastParent;

    /// <summary>
    /// The names listed again since the last call, or null: let through, to be cleared after the sort as stock does
    /// (flist.c: flist_sort_and_clean) and refused only when used.
    /// </summary>
    public List<string>? TakeDuplicates()
    {
        List<string>? taken = _duplicates;
        _duplicates = null;
        return taken;
    }

    /// <summary>
    /// Forgets a non-directory name whose list part has ended (incremental recursion): no later part can list it
    /// again (<see cref="Roles.Receiving.IncrementalLists"/>), so the sets need not hold it.
    /// </summary>
    internal void Forget(string name) => _listed.Remove(name);

    /// <summary>How many names the guard holds (tests: an incremental part's non-directories are not held).</summary>
    internal int HeldCount => _listed.Count;

    /// <summary>Whether directory <paramref name="name"/> was sent only as a parent of what was asked for (see <see cref="RequestedNames.IsImpliedParentOnly"/>).</summary>
    public bool IsImpliedParentOnly(string name) => _requested.IsImpliedParentOnly(name);

    /// <summary>Checks a symlink's target for length and NUL; its content is stored as-is and never followed.</summary>
    public static void CheckSymlinkTarget(string name, string target)
    {
        if (target.Length == 0 || target.Contains('\0') || FileNameEncoding.ByteCount(target) > MaxSymlinkTargetBytes)
            throw RsyncException.Protocol($"symlink \"{name}\" has an empty, NUL-bearing or overlong target");
    }

    /// <summary>
    /// The name alone (flist.c: recv_file_entry, before anything looks at where the entry lies): relative, clean and
    /// within bounds.
    /// </summary>
    internal static void CheckName(string name, bool isDirectory)
    {
        if (name == ".")
        {
            if (!isDirectory)
                throw new RsyncException(RsyncErrorKind.ProtocolIncompatible,
                    "rejecting non-directory transfer-root entry: .");
            return;
        }
        if (name.Length == 0)
            throw Unsupported("ABORTING due to unsafe pathname from sender: (empty name)");
        if (FileNameEncoding.ByteCount(name) > MaxNameBytes)
            throw Unsupported($"ABORTING due to overlong pathname from sender ({name.Length} characters)");
        if (name[0] == '/' || name.Contains('\0'))
            throw Unsupported($"ABORTING due to unsafe pathname from sender: {name}");
        foreach (var range in name.AsSpan().Split('/'))
        {
            var component = name.AsSpan(range);
            if (component.Length == 0 || component is "." or "..")
                throw Unsupported($"ABORTING due to unsafe pathname from sender: {name}");
            if (FileNameEncoding.ByteCount(component) > MaxComponentBytes)
                throw Unsupported($"ABORTING due to overlong name component from sender: {name}");
        }
    }

    /// <summary>
    /// <see cref="CheckName"/> for a name whose first <paramref name="lastStart"/> characters are a directory's name
    /// that passed it and a '/', and whose rest holds no '/' (an incremental part's entry): the same checks, the same
    /// messages, with only the last component and the whole length left to look at.
    /// </summary>
    internal static void CheckLastName(string name, int lastStart, bool isDirectory)
    {
        ReadOnlySpan<char> last = name.AsSpan(lastStart);
        if (last is "." or ".." || last.Contains('\0'))
        {
            CheckName(name, isDirectory);
            return;
        }
        if (FileNameEncoding.ByteCount(name) > MaxNameBytes)
            throw Unsupported($"ABORTING due to overlong pathname from sender ({name.Length} characters)");
        if (FileNameEncoding.ByteCount(last) > MaxComponentBytes)
            throw Unsupported($"ABORTING due to overlong name component from sender: {name}");
    }

    private static RsyncException Unsupported(string message) =>
        new(RsyncErrorKind.UnsafeFileList, message);
}
