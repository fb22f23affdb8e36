namespace ManagedRsync.FileList;

/// <summary>/etc/passwd and /etc/group, read once (getpwuid, getgrgid, getpwnam, getgrnam without NSS modules).</summary>
internal sealed class SystemAccountNames : IAccountNames
{
    public static readonly SystemAccountNames Instance = new();

    private static readonly Lazy<Dictionary<string, int>> s_userIds = new(() => Load("/etc/passwd"));
    private static readonly Lazy<Dictionary<string, int>> s_groupIds = new(() => Load("/etc/group"));

    private SystemAccountNames()
    {
    }

    public string? UserName(int uid) => IdNames.User(uid);

    public string? GroupName(int gid) => IdNames.Group(gid);

    public int? UserId(string name) => s_userIds.Value.TryGetValue(name, out int id) ? id : null;

    public int? GroupId(string name) => s_groupIds.Value.TryGetValue(name, out int id) ? id : null;

    private static Dictionary<string, int> Load(string path)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                string[] fields = line.Split(':');
                if (fields.Length >= 3 && int.TryParse(fields[2], out int id))
                    map.TryAdd(fields[0], id);
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
