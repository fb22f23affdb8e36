using System.Text;

namespace ManagedRsync.InteropTests.Push;

/// <summary>Builds the source trees of the push tests: awkward names, edge sizes, links, empty directories.</summary>
internal static class SourceTree
{
    /// <summary>rsync's default block for small files is 700 bytes (generator.c: BLOCK_SIZE).</summary>
    public const int Block = 700;

    public static string Create(string root, bool hardLinks = true)
    {
        Directory.CreateDirectory(root);
        var rng = new Random(42);
        Write(root, "zero", []);
        Write(root, "one-byte", [7]);
        Write(root, "one block", Bytes(rng, Block));
        Write(root, "two-blocks-exact", Bytes(rng, 2 * Block));
        Write(root, "medium.bin", Bytes(rng, 200_000));
        Write(root, "tab\there", "tab"u8.ToArray());
        Write(root, "new\nline", "newline"u8.ToArray());
        Write(root, "ünïcødé ✓", "utf8"u8.ToArray());
        Write(root, "-leading-dash", "dash"u8.ToArray());
        Write(root, "with space", "space"u8.ToArray());
        Write(root, new string('n', 255), "long name"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
        Directory.CreateDirectory(Path.Combine(root, "sub", "deeper"));
        Write(root, "sub/deeper/file.txt", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("line of text\n", 500))));
        Write(root, "sub/x", Bytes(rng, 1));
        File.CreateSymbolicLink(Path.Combine(root, "link-to-file"), "sub/x");
        File.CreateSymbolicLink(Path.Combine(root, "sub", "link-up"), "../one-byte");
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), "does/not/exist");
        if (hardLinks)
            HardLink(Path.Combine(root, "medium.bin"), Path.Combine(root, "sub", "hard-link"));
        File.SetUnixFileMode(Path.Combine(root, "one-byte"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(Path.Combine(root, "sub"), (UnixFileMode)Convert.ToInt32("750", 8));
        // Distinct times, some with nanoseconds (protocol 31 sends them).
        int i = 0;
        foreach (string f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            if (!new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint))
                File.SetLastWriteTimeUtc(f, new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddSeconds(i++ * 37).AddTicks(i * 1234567));
        }
        Directory.SetLastWriteTimeUtc(Path.Combine(root, "empty-dir"), new DateTime(2019, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        return root;
    }

    public static void HardLink(string existing, string link)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [existing, link])!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    /// <summary>
    /// A directory holding one random file "data.bin", an hour old: an edited version written later then differs in
    /// mtime seconds, or rsync's quick check (generator.c: quick_check_ok, modify_window 0) may skip it when both
    /// writes share a second. Returns the directory and the content.
    /// </summary>
    public static (string Directory, string File, byte[] Content) OldRandomFile(string dir, int length, Random rng)
    {
        System.IO.Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "data.bin");
        byte[] content = Bytes(rng, length);
        File.WriteAllBytes(file, content);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddHours(-1));
        return (dir, file, content);
    }

    public static byte[] Bytes(Random rng, int n)
    {
        var b = new byte[n];
        rng.NextBytes(b);
        return b;
    }

    public static void Write(string root, string relative, byte[] content)
    {
        string path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
