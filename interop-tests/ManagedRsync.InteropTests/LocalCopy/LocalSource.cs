using System.Diagnostics;
using System.Text;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// Source trees for the local-copy comparisons: every kind of entry rsync -a (-H, -D) copies, names that are not
/// UTF-8, and names the filter cases select on. Times are fixed so a second run's quick check sees them unchanged.
/// </summary>
internal static class LocalSource
{
    public static readonly DateTime Past = new(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc);

    /// <summary>A name that is not UTF-8 (Latin-1 "café"), as a file and as a directory holding a file.</summary>
    public static readonly byte[] Latin1File = [.. "caf"u8, 0xe9, .. ".txt"u8];
    public static readonly byte[] Latin1Dir = [.. "d"u8, 0xff, 0xfe];

    /// <summary>Files, directories (one empty, one 0700), modes, symlinks (relative, absolute, dangling), non-UTF-8 names,
    /// and names for the filters: *.o, *.tmp, core, a CVS directory, a .git directory.</summary>
    public static void CreateSample(string root)
    {
        Directory.CreateDirectory(root);
        Write(root, "a.txt", "alpha\n");
        Write(root, "b.bin", new string('b', 70_000));
        Write(root, "empty", "");
        Write(root, "run.sh", "#!/bin/sh\necho hi\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Write(root, "secret", "s\n", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Write(root, "sub/x.c", "int x;\n");
        Write(root, "sub/x.o", "object\n");
        Write(root, "sub/deeper/y.tmp", "temporary\n");
        Write(root, "sub/deeper/z.txt", "zed\n");
        Write(root, "sub/core", "core dump\n");
        Write(root, "CVS/Entries", "/x.c/1.1//\n");
        Write(root, ".git/HEAD", "ref: refs/heads/main\n");
        Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
        Directory.CreateDirectory(Path.Combine(root, "private"));
        Write(root, "private/p", "p\n");
        File.SetUnixFileMode(Path.Combine(root, "private"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(root, "link-rel"), "a.txt");
        File.CreateSymbolicLink(Path.Combine(root, "sub/link-up"), "../b.bin");
        File.CreateSymbolicLink(Path.Combine(root, "link-abs"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(root, "link-dangling"), "no/such/target");
        RawFiles.Write(root, Latin1File, "latin-1 name\n");
        RawFiles.MakeDirectory(root, Latin1Dir);
        RawFiles.Write(root, [.. Latin1Dir, (byte)'/', .. "inner"u8], "inside a latin-1 directory\n");
        RawFiles.Symlink(root, Latin1File, [.. "to-"u8, .. Latin1File]);
        SetTimes(root);
    }

    /// <summary>Files sharing inodes: a pair in one directory, a triple across directories, and a lone file.</summary>
    public static void AddHardLinks(string root)
    {
        Write(root, "hl/one", "shared one\n");
        Write(root, "hl/lone", "alone\n");
        Write(root, "hl2/three", "shared three\n");
        Run("ln", Path.Combine(root, "hl/one"), Path.Combine(root, "hl/one-again"));
        Run("ln", Path.Combine(root, "hl2/three"), Path.Combine(root, "hl/three-a"));
        Run("ln", Path.Combine(root, "hl2/three"), Path.Combine(root, "hl2/three-b"));
        SetTimes(root);
    }

    /// <summary>A fifo, a character and a block device (root only: mknod needs CAP_MKNOD).</summary>
    public static void AddSpecials(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        Run("mkfifo", "-m", "0640", Path.Combine(root, "dev/fifo"));
        Run("mknod", "-m", "0600", Path.Combine(root, "dev/null-like"), "c", "1", "3");
        Run("mknod", "-m", "0660", Path.Combine(root, "dev/loop-like"), "b", "7", "200");
        SetTimes(root);
    }

    /// <summary>The edits a second run must find: new content (same size and a new mtime), a mode change, a time-only
    /// change, a new file and directory, a removed file and directory, a file turned into a directory, a new symlink target.</summary>
    public static void Edit(string root)
    {
        Write(root, "a.txt", "ALPHA\n");
        File.SetLastWriteTimeUtc(Path.Combine(root, "a.txt"), Past.AddHours(1));
        File.SetUnixFileMode(Path.Combine(root, "secret"), UnixFileMode.UserRead);
        File.SetLastWriteTimeUtc(Path.Combine(root, "empty"), Past.AddDays(1));
        Write(root, "new/file.txt", "new\n");
        File.SetLastWriteTimeUtc(Path.Combine(root, "new/file.txt"), Past);
        File.Delete(Path.Combine(root, "b.bin"));
        Directory.Delete(Path.Combine(root, "sub/deeper"), recursive: true);
        File.Delete(Path.Combine(root, "run.sh"));
        Write(root, "run.sh/inside", "was a file\n");
        File.SetLastWriteTimeUtc(Path.Combine(root, "run.sh/inside"), Past);
        File.Delete(Path.Combine(root, "link-rel"));
        File.CreateSymbolicLink(Path.Combine(root, "link-rel"), "empty");
        Run("touch", "-h", "-d", "2020-05-06 07:08:09Z", Path.Combine(root, "link-rel"));
        foreach (string dir in new[] { "", "sub", "new", "run.sh" })
            Directory.SetLastWriteTimeUtc(Path.Combine(root, dir), Past.AddMinutes(5));
    }

    public static void Write(string root, string relative, string content, UnixFileMode? mode = null)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content, Encoding.UTF8);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
    }

    /// <summary>Every entry's mtime (symlinks' own included, through touch -h) set to fixed times, directories last.</summary>
    public static void SetTimes(string root) =>
        Run("sh", "-c", "find \"$1\" -depth -exec touch -h -d '2020-05-06 07:08:09.123456789Z' {} +", "sh", root);

    public static void Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{program} {string.Join(' ', args)}: exit {p.ExitCode}: {error}");
    }
}
