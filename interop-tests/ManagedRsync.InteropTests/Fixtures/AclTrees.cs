using ManagedRsync.InteropTests.LocalCopy;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// Trees with POSIX ACLs for -A (made with setfacl, from the acl package; a test that cannot find it fails saying so),
/// their changes for a second run, and what getfacl / getfattr say about a tree, in an order that does not depend on
/// the directory order.
/// </summary>
internal static class AclTrees
{
    public static readonly DateTime Stamp = new(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    /// <summary>
    /// Named users and groups with a mask, a mask that hides them, a mask below the group entry, access and default
    /// ACLs on a directory (a file made inside inherits them), a default ACL alone, a FIFO with an ACL, a file and a
    /// directory without any, a symlink (which has none) and a hard link.
    /// </summary>
    public static string Write(string src)
    {
        Directory.CreateDirectory(Path.Combine(src, "shared"));
        Directory.CreateDirectory(Path.Combine(src, "defonly"));
        Directory.CreateDirectory(Path.Combine(src, "none"));
        foreach (string name in new[] { "named", "hidden", "lowmask", "plain", "none/file", "same1", "same2" })
            File.WriteAllText(Path.Combine(src, name), "content of " + name);
        SetFacl("-m", "u:nobody:rw,g:daemon:r", Path.Combine(src, "named"));
        SetFacl("-m", "u:daemon:r,m::-", Path.Combine(src, "hidden"));
        SetFacl("-m", "g:bin:rwx,g::rw,m::r", Path.Combine(src, "lowmask"));
        // Two files with one ACL: the second is sent as an index into the sender's cache.
        SetFacl("-m", "u:bin:rw", Path.Combine(src, "same1"));
        SetFacl("-m", "u:bin:rw", Path.Combine(src, "same2"));
        SetFacl("-m", "g:nogroup:rx", Path.Combine(src, "shared"));
        SetFacl("-d", "-m", "u:nobody:rwx,g::rx", Path.Combine(src, "shared"));
        File.WriteAllText(Path.Combine(src, "shared", "inherited"), "made after the default ACL");
        SetFacl("-d", "-m", "g:bin:r", Path.Combine(src, "defonly"));
        Run("mkfifo", Path.Combine(src, "fifo"));
        SetFacl("-m", "u:nobody:r", Path.Combine(src, "fifo"));
        File.CreateSymbolicLink(Path.Combine(src, "link"), "named");
        // A new directory whose sticky bit comes on, a file whose setuid bit goes: the ACL goes on first without group
        // and other access (acls.c: change_sacl_perms), so a group entry the mask covers ends with none, as stock's.
        Directory.CreateDirectory(Path.Combine(src, "sticky"));
        File.SetUnixFileMode(Path.Combine(src, "sticky"), (UnixFileMode)Convert.ToInt32("1777", 8));
        SetFacl("-m", "u:bin:rwx", Path.Combine(src, "sticky"));
        File.WriteAllText(Path.Combine(src, "setuid"), "setuid");
        File.SetUnixFileMode(Path.Combine(src, "setuid"), (UnixFileMode)Convert.ToInt32("4755", 8));
        SetFacl("-m", "u:bin:rx", Path.Combine(src, "setuid"));
        // A hard link: with -H its second name is an abbreviated entry, still followed by its ACL (flist.c).
        Run("ln", Path.Combine(src, "named"), Path.Combine(src, "shared", "named-twin"));
        foreach (string p in Directory.GetFileSystemEntries(src, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(p).LinkTarget is null)
                File.SetLastWriteTimeUtc(p, Stamp);
        }
        Directory.SetLastWriteTimeUtc(src, Stamp);
        return src;
    }

    /// <summary>A second run's changes: entries removed, added, a mask changed, a default ACL gone and one new, one ACL dropped.</summary>
    public static void Change(string src)
    {
        SetFacl("-x", "u:nobody", Path.Combine(src, "named"));
        SetFacl("-m", "u:bin:r", Path.Combine(src, "plain"));
        SetFacl("-m", "m::rw", Path.Combine(src, "hidden"));
        SetFacl("-b", Path.Combine(src, "lowmask"));
        SetFacl("-k", Path.Combine(src, "shared"));
        SetFacl("-d", "-m", "u:daemon:rx", Path.Combine(src, "none"));
        SetFacl("-m", "g:daemon:w", Path.Combine(src, "same2"));
        File.SetUnixFileMode(Path.Combine(src, "setuid"), (UnixFileMode)Convert.ToInt32("755", 8));
        foreach (string p in Directory.GetFileSystemEntries(src, "*", SearchOption.AllDirectories))
        {
            if (new FileInfo(p).LinkTarget is null)
                File.SetLastWriteTimeUtc(p, Stamp);
        }
        Directory.SetLastWriteTimeUtc(src, Stamp);
    }

    /// <summary>getfacl's blocks for each entry below <paramref name="root"/> ("# file: NAME" first), sorted by name.</summary>
    public static string Dump(string root) => Blocks(Tool("getfacl", root, "-R", "-P", "."));

    /// <summary>As <see cref="Dump"/>, with numeric ids.</summary>
    public static string NumericDump(string root) => Blocks(Tool("getfacl", root, "-R", "-P", "-n", "."));

    /// <summary>Each entry's user.rsync.%aacl / %dacl values (a fake-super tree's ACLs), hex, sorted by name.</summary>
    public static string FakeSuperAcls(string root) =>
        Blocks(Tool("getfattr", root, "-R", "-h", "-d", "-m", "^user\\.rsync\\.%[ad]acl$", "-e", "hex", "."));

    public static void SetFacl(params string[] args) => Run("setfacl", args);

    private static string Blocks(string text)
    {
        var blocks = text.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(b => b.Trim('\n')).Where(b => b.Length > 0).Order(StringComparer.Ordinal);
        return string.Join("\n\n", blocks);
    }

    private static string Tool(string tool, string dir, params string[] args)
    {
        ProcessResult r = ToolProcess.RunAsync("sh", ["-c", "cd \"$0\" && exec \"$@\"", dir, tool, .. args]).GetAwaiter().GetResult();
        Assert.True(r.ExitCode == 0, r.ToString());
        return r.Stdout;
    }

    private static void Run(string tool, params string[] args)
    {
        Assert.True(ToolProcess.FindOnPath(tool) is not null, $"{tool} is not installed (the acl / attr packages; .ci/run installs them)");
        ProcessResult r = ToolProcess.RunAsync(tool, args).GetAwaiter().GetResult();
        Assert.True(r.ExitCode == 0, r.ToString());
    }
}
