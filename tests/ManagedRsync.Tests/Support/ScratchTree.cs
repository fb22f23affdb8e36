namespace ManagedRsync.Tests.Support;

/// <summary>Small trees for the role and server tests: each named file holds <c>content(name)</c>.</summary>
internal static class ScratchTree
{
    public static string Make(string root, string name, Func<string, string> content, params string[] files)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        foreach (string f in files)
        {
            string full = Path.Combine(dir, f);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content(f));
        }
        return dir;
    }
}
