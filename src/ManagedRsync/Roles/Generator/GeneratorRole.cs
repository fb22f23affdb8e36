using ManagedRsync.Destination;
using ManagedRsync.FileList;
using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Roles.Generator;

/// <summary>
/// The generator (rsync generator.c: generate_files, recv_generator): walks the sorted file list, makes directories,
/// symlinks and devices itself, itemizes, deletes what the sender no longer has, and asks for every regular file that
/// fails the quick check with the block sums of the local file as the basis; then the redo pass, the end-of-phase
/// indexes, the late deletions and the goodbye (<c>GeneratorRole.Phases.cs</c>), and last the directories' times
/// (touch_up_dirs). It is the only writer of the connection for the whole run; the receiver tells it what to redo and
/// where each phase ends (<see cref="ReceiverMessages"/>). Files: Walk (recv_generator per entry), Itemize, Requests
/// (quick check, sum head and block sums), Deletion, Finish (hard links, directory times), ListOnly.
/// </summary>
internal sealed partial class GeneratorRole(ReceiveRun run)
{
    private readonly List<int> _directories = [];
    private readonly HashSet<int> _createdDirectories = [];
    private bool _treeFinished;

    /// <summary>A dry run's first directory that does not exist locally: what is below it is not looked up.</summary>
    private string? _dryMissingDir;

    /// <summary>The entry the generator is on, for the deletions it reports in that directory.</summary>
    private int _generating = -1;

    private int Protocol => run.Protocol;

    // --info=name2 (-vv), worked out once: TransferOptions.Info derives the levels from -v, --stats, --progress and
    // --info at every call, and the walk asked for it twice per entry.
    private readonly bool _infoName2 = run.Options.Info.Gte(InfoFlag.Name, 2);

    private TransferOptions Options => run.Options;

    private EntryTable<FileEntry> Files => run.Files;

    private ConfinedDirectory? Destination => run.Destination;

    private string NameOf(int ndx) => run.NameOf(ndx);
}
