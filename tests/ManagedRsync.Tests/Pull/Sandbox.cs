using ManagedRsync.Destination;

namespace ManagedRsync.Tests.Pull;

/// <summary>
/// A scratch area with a destination directory and, beside it, an "outside" directory holding a canary file that
/// no pull may read, change or add to.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    public const string CanaryContent = "canary: must never change";

    public Sandbox()
    {
        Root = Directory.CreateTempSubdirectory("mrsync-pull-").FullName;
        Destination = Path.Combine(Root, "dest");
        Outside = Path.Combine(Root, "outside");
        Directory.CreateDirectory(Destination);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Canary, CanaryContent);
        File.SetLastWriteTimeUtc(Canary, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        using var outside = ConfinedDirectory.Open(Outside, create: false);
        CanaryMode = outside.Stat("canary")!.Value.Permissions;
    }

    public string Root { get; }

    private uint CanaryMode { get; }

    public string Destination { get; }

    public string Outside { get; }

    public string Canary => Path.Combine(Outside, "canary");

    /// <summary>Nothing outside the destination was created or changed: the outside directory holds only the canary.</summary>
    public void AssertOutsideUntouched()
    {
        Assert.Equal(["dest", "outside"], Directory.GetFileSystemEntries(Root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal([Canary], Directory.GetFileSystemEntries(Outside));
        Assert.Equal(CanaryContent, File.ReadAllText(Canary));
        Assert.Equal(new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc), File.GetLastWriteTimeUtc(Canary));
        using var outside = ConfinedDirectory.Open(Outside, create: false);
        Assert.Equal(CanaryMode, outside.Stat("canary")!.Value.Permissions);
    }

    /// <summary>No ".NAME.XXXXXX" temporary file is left anywhere under the destination.</summary>
    public void AssertNoTempFiles()
    {
        var leftovers = Directory.EnumerateFileSystemEntries(Destination, ".*", SearchOption.AllDirectories).ToList();
        Assert.Empty(leftovers);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A test that failed may have left something odd; the temp directory is the OS's to clean then.
        }
    }
}
