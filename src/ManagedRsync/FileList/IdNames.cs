namespace ManagedRsync.FileList;

/// <summary>
/// uid and gid names for the id lists rsync sends after the file list (rsync uidlist.c), read from /etc/passwd and
/// /etc/group. Ids without a name are not listed, as rsync leaves them out.
/// </summary>
internal static class IdNames
{
    private static readonly Lazy<Dictionary<int, string>> s_users = new(() => Load("/etc/passwd"));
    private static readonly Lazy<Dictionary<int, string>> s_groups = new(() => Load("/etc/group"));

    public static string? User(int uid) => s_users.Value.GetValueOrDefault(uid);

    public static string? Group(int gid) => s_groups.Value.GetValueOrDefault(gid);

    private static Dictionary<int, string> Load(string path)
    {
        var map = new Dictionary<int, string>();
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string[] f = line.Split(':');
                if (f.Length >= 3 && int.TryParse(f[2], out int id) && f[0].Length is > 0 and <= 255)
                    map.TryAdd(id, f[0]);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return map;
    }
}
