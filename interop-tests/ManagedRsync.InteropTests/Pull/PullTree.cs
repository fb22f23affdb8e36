using System.Text;

namespace ManagedRsync.InteropTests.Pull;

/// <summary>Builds source trees in a daemon module and compares a restored tree with its source.</summary>
internal static class PullTree
{
    /// <summary>A small tree with the kinds of entries a restore must reproduce.</summary>
    public static void CreateSample(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "dir/sub"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        File.WriteAllText(Path.Combine(root, "hello.txt"), "hello, world\n");
        File.WriteAllBytes(Path.Combine(root, "dir/random.bin"), RandomBytes(200_000, seed: 1));
        File.WriteAllText(Path.Combine(root, "dir/sub/deep.txt"), "deep\n");
        File.WriteAllBytes(Path.Combine(root, "zero-length"), []);
        File.CreateSymbolicLink(Path.Combine(root, "link-to-hello"), "hello.txt");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "/nonexistent/target");
        File.SetUnixFileMode(Path.Combine(root, "dir/sub/deep.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(Path.Combine(root, "dir"), (UnixFileMode)0x1C0 /* 0700 */ | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        var past = new DateTime(2020, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddTicks(1234567);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(file).LinkTarget is null)
                File.SetLastWriteTimeUtc(file, past);
        }
        foreach (string dir in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            Directory.SetLastWriteTimeUtc(dir, past.AddDays(1));
        // The root too, so that a destination changed within the same second still differs from it.
        Directory.SetLastWriteTimeUtc(root, past.AddDays(2));
    }

    // An older copy of the tree: one file changed in content and time, one with other permissions, one missing,
    // an extra file and an extra directory with contents at the top (deleted in one go, in rsync's order), a file
    // where the sender has a directory and a directory where it has a file.
    public static void CreateStaleCopy(string source, string template)
    {
        StockOutput.CopyTree(source, template);
        File.WriteAllText(Path.Combine(template, "hello.txt"), "hello, old world\n");
        File.SetLastWriteTimeUtc(Path.Combine(template, "hello.txt"), new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetUnixFileMode(Path.Combine(template, "zero-length"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        File.Delete(Path.Combine(template, "dir/sub/deep.txt"));
        File.WriteAllText(Path.Combine(template, "extra.txt"), "not on the sender\n");
        Directory.CreateDirectory(Path.Combine(template, "gone/inner"));
        File.WriteAllText(Path.Combine(template, "gone/a.txt"), "a\n");
        File.WriteAllText(Path.Combine(template, "gone/inner/b.txt"), "b\n");
        Directory.Delete(Path.Combine(template, "empty"));
        File.WriteAllText(Path.Combine(template, "empty"), "a file where the sender has a directory\n");
        File.Delete(Path.Combine(template, "link-to-hello"));
        File.CreateSymbolicLink(Path.Combine(template, "link-to-hello"), "elsewhere");
        Directory.SetLastWriteTimeUtc(template, new DateTime(2018, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Every entry of <paramref name="source"/> exists in <paramref name="restored"/> with the same type, content,
    /// link target, permissions and modification time (to the second), and nothing else is there.
    /// </summary>
    public static void AssertSame(string source, string restored)
    {
        string expected = Describe(source);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, Describe(restored));
    }

    private static string Describe(string root)
    {
        var text = new StringBuilder();
        foreach (string path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            string relative = Path.GetRelativePath(root, path);
            text.Append(relative).Append(' ');
            if (info.LinkTarget is { } target)
            {
                text.Append("-> ").Append(target);
            }
            else if (Directory.Exists(path))
            {
                text.Append("dir ").Append(Convert.ToString((int)File.GetUnixFileMode(path), 8))
                    .Append(' ').Append(Directory.GetLastWriteTimeUtc(path).ToString("s"));
            }
            else
            {
                text.Append("file ").Append(Convert.ToString((int)File.GetUnixFileMode(path), 8))
                    .Append(' ').Append(File.GetLastWriteTimeUtc(path).ToString("s"))
                    .Append(' ').Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))));
            }
            text.AppendLine();
        }
        return text.ToString();
    }
}
