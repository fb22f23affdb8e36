using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Platform;

namespace ManagedRsync.Roles.Generator;

// -y/--fuzzy in our generator (rsync generator.c: recv_generator's fuzzy_dirlist and find_fuzzy): a file missing from
// the destination takes as its basis the most similar file of its own directory (-yy: also of that directory in each
// basis directory), so that a renamed or re-versioned file is sent as a delta.
internal sealed partial class GeneratorRole
{
    /// <summary>A regular file of a fuzzy listing: its name in the directory, size, mtime, and whether it is being updated.</summary>
    private sealed class FuzzyCandidate(byte[] name, long size, long mtime)
    {
        public byte[] Name { get; } = name;
        public long Size { get; } = size;
        public long Mtime { get; } = mtime;
        public bool Sent { get; set; }
    }

    /// <summary>The directory whose listings <see cref="_fuzzyLists"/> hold (null: none read yet).</summary>
    private string? _fuzzyDirectory;

    /// <summary>
    /// generator.c: fuzzy_dirlist — per source of bases (0: the destination, j: the j-th basis directory), the directory's
    /// regular files in name order, read once, when the first file of the directory needs one; null when not read.
    /// </summary>
    private List<FuzzyCandidate>?[]? _fuzzyLists;

    /// <summary>generator.c: the listings are dropped when the walk reaches another directory.</summary>
    private void LeaveFuzzyDirectory(string directory)
    {
        if (_fuzzyDirectory != directory)
        {
            _fuzzyDirectory = directory;
            _fuzzyLists = null;
        }
    }

    /// <summary>
    /// generator.c: find_fuzzy — the basis for <paramref name="file"/> (missing locally): the first regular, non-empty
    /// file not being updated whose size and mtime equal the sender's, else the one whose name is nearest (the last of
    /// equal distance, none further than 25 units): name distance plus ten times the suffixes' distance. Returns the
    /// directory it is in (null: the destination) and its transfer-relative name, or null.
    /// </summary>
    private (ConfinedDirectory? Directory, string Name, EntryStatus Status)? FindFuzzyBasis(FileEntry file, string name)
    {
        string directory = DirectoryPart(name);
        LeaveFuzzyDirectory(directory);
        _fuzzyLists ??= ReadFuzzyLists(directory);
        ReadOnlySpan<byte> wanted = BaseName(file.Name);
        (int List, FuzzyCandidate Entry)? pick = null;
        for (int i = 0; i < _fuzzyLists.Length && pick is null; i++)
        {
            foreach (FuzzyCandidate c in _fuzzyLists[i] ?? [])
            {
                if (!c.Sent && c.Size == file.Size && SameSecond(c.Mtime, file.ModTime))
                {
                    pick = (i, c);
                    break;
                }
            }
        }
        if (pick is null)
        {
            uint lowest = 25u << 16;
            ReadOnlySpan<byte> wantedSuffix = FuzzyDistance.Suffix(wanted);
            for (int i = 0; i < _fuzzyLists.Length; i++)
            {
                foreach (FuzzyCandidate c in _fuzzyLists[i] ?? [])
                {
                    if (c.Sent)
                        continue;
                    uint distance = FuzzyDistance.Between(c.Name, wanted, lowest);
                    if (distance < 0xFFFF0000u)
                        distance = unchecked(distance + FuzzyDistance.Between(FuzzyDistance.Suffix(c.Name), wantedSuffix, 0xFFFF0000u) * 10);
                    if (distance <= lowest)
                    {
                        lowest = distance;
                        pick = (i, c);
                    }
                }
            }
        }
        if (pick is not { } found)
            return null;
        ConfinedDirectory? where = found.List == 0 ? null : run.BasisDirectories!.Directories[found.List - 1];
        string basisName = (directory == "." ? "" : directory + "/") + FileNameEncoding.Decode(found.Entry.Name);
        return StatBasis(where ?? Destination!, basisName) is { IsRegularFile: true } st ? (where, basisName, st) : null;
    }

    /// <summary>
    /// generator.c: a file that is updated against a basis is no later file's fuzzy basis (FLAG_FILE_SENT, marked in
    /// the destination's listing when it has been read).
    /// </summary>
    private void MarkFuzzySent(FileEntry file, string name)
    {
        if (Options.Fuzzy == 0 || _fuzzyLists?[0] is not { } list || _fuzzyDirectory != DirectoryPart(name))
            return;
        ReadOnlySpan<byte> leaf = BaseName(file.Name);
        foreach (FuzzyCandidate c in list)
        {
            if (leaf.SequenceEqual(c.Name))
                c.Sent = true;
        }
    }

    // flist.c: get_dirlist of the directory, filter rules ignored; only non-empty regular files can be a basis.
    private List<FuzzyCandidate>?[] ReadFuzzyLists(string directory)
    {
        var lists = new List<FuzzyCandidate>?[Options.Fuzzy];
        for (int i = 0; i < lists.Length; i++)
        {
            ConfinedDirectory? dir = i == 0 ? Destination
                : run.BasisDirectories is { } basis && i - 1 < basis.Directories.Length ? basis.Directories[i - 1] : null;
            if (dir is null)
                continue;
            IReadOnlyList<string> names;
            try
            {
                names = dir.List(directory);
            }
            catch (RsyncException e) when (e.IsLocalFileFailure)
            {
                continue;
            }
            var candidates = new List<FuzzyCandidate>();
            foreach (string entry in names)
            {
                string path = directory == "." ? entry : directory + "/" + entry;
                if (StatBasis(dir, path) is { IsRegularFile: true, Size: > 0 } st)
                    candidates.Add(new FuzzyCandidate(FileNameEncoding.Encode(entry), st.Size, st.MtimeSeconds));
            }
            candidates.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
            lists[i] = candidates.Count > 0 ? candidates : null;
        }
        return lists;
    }

    // util1.c: same_time with no nanoseconds (find_fuzzy passes 0 for both).
    private bool SameSecond(long a, long b) =>
        Options.ModifyWindow > 0 ? Math.Abs(a - b) <= Options.ModifyWindow : a == b;

    private static string DirectoryPart(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? "." : name[..slash];
    }

    private static ReadOnlySpan<byte> BaseName(byte[] name)
    {
        int slash = Array.LastIndexOf(name, (byte)'/');
        return name.AsSpan(slash + 1);
    }
}
