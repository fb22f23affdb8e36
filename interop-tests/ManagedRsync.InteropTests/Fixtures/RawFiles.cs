using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>Creating and describing trees by name bytes, which .NET's file APIs cannot do.</summary>
internal static partial class RawFiles
{
    public static void Write(string root, byte[] relative, string content)
    {
        int fd = Open(Path(root, relative), 0x1 | 0x40 | 0x200 | 0x80000, 0x1a4); // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644
        Assert.True(fd >= 0, $"open failed: {Marshal.GetLastPInvokeError()}");
        using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write);
        stream.Write(Encoding.UTF8.GetBytes(content));
    }

    public static void MakeDirectory(string root, byte[] relative) =>
        Assert.True(Mkdir(Path(root, relative), 0x1ed) == 0, $"mkdir failed: {Marshal.GetLastPInvokeError()}");

    public static void Symlink(string root, byte[] target, byte[] relative) =>
        Assert.True(SymlinkNative([.. target, 0], Path(root, relative)) == 0, $"symlink failed: {Marshal.GetLastPInvokeError()}");

    /// <summary>
    /// Gives every entry under <paramref name="root"/> (itself included, names of any bytes, symlinks themselves) an old
    /// modification time. A receiver sets a directory's or a symlink's time only when it differs from the one the new
    /// entry already has, in whole seconds with no --modify-window (rsync.c: set_file_attrs, same_mtime; util1.c:
    /// same_time), so a source made in the same second as the copy keeps the copy's creation times or not by whether a
    /// second ticked in between: two copies made one after the other (ours, then stock's) could differ, though each
    /// did what stock does.
    /// </summary>
    public static void DateTree(string root)
    {
        ProcessResult r = ToolProcess.RunAsync("find", [root, "-exec", "touch", "-h", "-d", "2020-05-06 07:08:09.123456789", "{}", "+"])
            .GetAwaiter().GetResult();
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    /// <summary>Every entry under <paramref name="root"/> with its bytes hex-escaped: a file's content, a link's target.</summary>
    public static string Describe(string root)
    {
        var lines = new List<string>();
        Walk(Encoding.UTF8.GetBytes(root), [], lines);
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    private static void Walk(byte[] root, byte[] relative, List<string> lines)
    {
        var children = new List<(byte[] Name, EntryType Type)>();
        byte[] dir = relative.Length == 0 ? root : [.. root, (byte)'/', .. relative];
        Assert.Equal(0, RawDirectory.List(dir, (name, type) => children.Add((name.ToArray(), type))));
        foreach (var (name, type) in children)
        {
            byte[] rel = relative.Length == 0 ? name : [.. relative, (byte)'/', .. name];
            string shown = Show(rel);
            string full = FileNameEncoding.Decode([.. root, (byte)'/', .. rel]);
            if (type == EntryType.Directory)
            {
                lines.Add(shown + "/");
                Walk(root, rel, lines);
            }
            else if (type == EntryType.Symlink)
            {
                lines.Add(shown + " -> " + Show(LocalFile.ReadLink(full) ?? []));
            }
            else
            {
                using var stream = LocalFile.OpenRead(full, new FileStreamOptions());
                lines.Add(shown + " = " + new StreamReader(stream).ReadToEnd());
            }
        }
    }

    private static string Show(byte[] bytes) =>
        string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}"));

    private static byte[] Path(string root, byte[] relative) => [.. Encoding.UTF8.GetBytes(root), (byte)'/', .. relative, 0];

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
    private static partial int Open(byte[] path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true)]
    private static partial int Mkdir(byte[] path, int mode);

    [LibraryImport("libc", EntryPoint = "symlink", SetLastError = true)]
    private static partial int SymlinkNative(byte[] target, byte[] path);
}
