using ManagedRsync.Destination;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// An absolute --partial-dir on a receiving client (a pull or a local copy): one directory for every file, wherever
/// the user put it (util1.c: partial_dir_fname joins it with the leaf alone; handle_partial_dir makes it only when a
/// file is to be kept there, and never removes it). Opened when first needed and then held: the generator looks for
/// a partial copy in it (only if it exists), the receiver puts one there (making it). The generator and the receiver
/// run side by side, hence the lock.
/// </summary>
internal sealed class OperatorPartialDir(string path, bool noAtime, bool fakeSuper) : IDisposable
{
    private readonly Lock _gate = new();
    private ConfinedDirectory? _existing, _created;
    private bool _looked, _disposed;

    /// <summary>The absolute path as the user gave it (cleaned).</summary>
    public string Path { get; } = path;

    /// <summary>
    /// The directory if it exists (null: no partial copy can be there). generator.c: link_stat of the partial name
    /// reaches it through a symlink too; looked for once, then the one <see cref="Create"/> made is the one.
    /// </summary>
    public ConfinedDirectory? Existing()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_created is not null)
                return _created;
            if (!_looked)
            {
                _existing = WithOptions(ConfinedDirectory.OpenOperatorDirectory(Path, create: false, noAtime));
                _looked = true;
            }
            return _existing;
        }
    }

    /// <summary>
    /// util1.c: handle_partial_dir PDIR_CREATE — lstat of the last component: a directory is used, anything else (a
    /// symlink to a directory too: stock 3.5.0 replaces it) is unlinked and the directory made, 0700. Done once; the
    /// directory the generator may still hold from <see cref="Existing"/> stays open until the end.
    /// </summary>
    /// <exception cref="RsyncException">It cannot be made or opened (a local file failure).</exception>
    public ConfinedDirectory Create()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _created ??= WithOptions(ConfinedDirectory.OpenOperatorDirectory(Path, create: true, noAtime))!;
        }
    }

    private ConfinedDirectory? WithOptions(ConfinedDirectory? dir)
    {
        if (dir is not null)
            dir.FakeSuper = fakeSuper;
        return dir;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _existing?.Dispose();
            _created?.Dispose();
            _existing = _created = null;
        }
    }
}
