namespace ManagedRsync.FileList;

/// <summary>
/// The order a sender sorts its file list in (rsync flist.c: f_name_cmp), on UTF-8 name bytes.
/// </summary>
/// <remarks>
/// From protocol 29 on, a name is compared as a sequence of components in which every directory component is a
/// "path" ending in '/' and a final non-directory component is an "item"; at each level an item sorts before a path,
/// so a directory's files come before its subdirectories, and a directory comes directly before its own contents.
/// The transfer root "." is an empty item and sorts first. Before protocol 29 names compare as plain byte strings.
/// </remarks>
internal static class FileListOrder
{
    public static int Compare(ReadOnlySpan<byte> a, bool aIsDirectory, ReadOnlySpan<byte> b, bool bIsDirectory, int protocol)
    {
        if (protocol < 29)
            return Sign(a.SequenceCompareTo(b));
        if (IsRoot(a, aIsDirectory))
            return IsRoot(b, bIsDirectory) ? 0 : -1;
        if (IsRoot(b, bIsDirectory))
            return -Compare(b, bIsDirectory, a, aIsDirectory, protocol);

        // The components before the last '/' the names share are equal paths in both, which the walk below would pass
        // one by one: it starts after them (the entries of one directory's list share all of theirs).
        int skip = a[..a.CommonPrefixLength(b)].LastIndexOf((byte)'/') + 1;
        a = a[skip..];
        b = b[skip..];
        while (true)
        {
            int aSlash = a.IndexOf((byte)'/');
            int bSlash = b.IndexOf((byte)'/');
            bool aPath = aSlash >= 0 || aIsDirectory;
            bool bPath = bSlash >= 0 || bIsDirectory;
            if (aPath != bPath)
                return aPath ? 1 : -1;
            var aComponent = aSlash >= 0 ? a[..aSlash] : a;
            var bComponent = bSlash >= 0 ? b[..bSlash] : b;
            int common = Math.Min(aComponent.Length, bComponent.Length);
            int diff = aComponent[..common].SequenceCompareTo(bComponent[..common]);
            if (diff != 0)
                return Sign(diff);
            if (aComponent.Length != bComponent.Length)
            {
                // One component is a prefix of the other: the shorter continues with '/' (a path) or ends (an item).
                if (aComponent.Length < bComponent.Length)
                    return aPath ? Sign('/' - bComponent[common]) : -1;
                return bPath ? Sign(aComponent[common] - '/') : 1;
            }
            bool aLast = aSlash < 0;
            bool bLast = bSlash < 0;
            if (aLast || bLast)
                return aLast == bLast ? 0 : (aLast ? -1 : 1);
            a = a[(aSlash + 1)..];
            b = b[(bSlash + 1)..];
        }
    }

    /// <summary>
    /// <see cref="Compare"/> for two entries of one directory, given by their names in it (<paramref name="a"/> and
    /// <paramref name="b"/> hold no '/'; the directory's name before them is the same): from protocol 29 its files
    /// before its subdirectories, each kind in byte order, a subdirectory's name compared as if it ended in '/'.
    /// </summary>
    public static int CompareSiblings(ReadOnlySpan<byte> a, bool aIsDirectory, ReadOnlySpan<byte> b, bool bIsDirectory, int protocol)
    {
        if (protocol < 29)
            return Sign(a.SequenceCompareTo(b));
        if (aIsDirectory != bIsDirectory)
            return aIsDirectory ? 1 : -1;
        int common = Math.Min(a.Length, b.Length);
        int diff = a[..common].SequenceCompareTo(b[..common]);
        if (diff != 0)
            return Sign(diff);
        if (a.Length == b.Length)
            return 0;
        // One name is a prefix of the other: a directory's continues with '/', a file's ends.
        if (a.Length < b.Length)
            return aIsDirectory ? Sign('/' - b[common]) : -1;
        return aIsDirectory ? Sign(a[common] - '/') : 1;
    }

    private static bool IsRoot(ReadOnlySpan<byte> name, bool isDirectory) => isDirectory && name is [(byte)'.'];

    private static int Sign(int value) => Math.Sign(value);
}
