namespace ManagedRsync.DaemonServer;

/// <summary>
/// User and group names from /etc/passwd and /etc/group (what getpwnam, getgrnam and getgrouplist return on a host
/// without other NSS sources): "uid"/"gid" parameters and "@group" items of "auth users" (authenticate.c: auth_server
/// matches the groups of the user named in the response). Names from other NSS sources (LDAP, ...) are not seen.
/// </summary>
internal static class LocalAccounts
{
    public static uint? UserId(string name) => Lookup("/etc/passwd", name) is [_, _, var id, ..] && uint.TryParse(id, out uint n) ? n
        : uint.TryParse(name, out uint numeric) ? numeric : null;

    public static uint? GroupId(string name) => Lookup("/etc/group", name) is [_, _, var id, ..] && uint.TryParse(id, out uint n) ? n
        : uint.TryParse(name, out uint numeric) ? numeric : null;

    /// <summary>The login name and primary group of the user with id <paramref name="uid"/> (getpwuid), or null.</summary>
    public static (string Name, uint Gid)? UserById(uint uid)
    {
        foreach (string[] f in Entries("/etc/passwd"))
        {
            if (f.Length > 3 && uint.TryParse(f[2], out uint id) && id == uid && uint.TryParse(f[3], out uint gid))
                return (f[0], gid);
        }
        return null;
    }

    /// <summary>The names of the groups <paramref name="user"/> is in (its primary group and the member lists).</summary>
    public static IReadOnlyList<string> GroupsOf(string user)
    {
        string? primary = Lookup("/etc/passwd", user) is [_, _, _, var gid, ..] ? gid : null;
        var groups = new List<string>();
        foreach (string[] fields in Entries("/etc/group"))
        {
            if (fields.Length < 3)
                continue;
            bool member = fields[2] == primary || (fields.Length > 3 && fields[3].Split(',').Contains(user));
            if (member)
                groups.Add(fields[0]);
        }
        return groups;
    }

    private static string[]? Lookup(string file, string name) => Entries(file).FirstOrDefault(f => f[0] == name);

    private static IEnumerable<string[]> Entries(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (string line in lines)
        {
            if (line.Length > 0 && line[0] != '#')
                yield return line.Split(':');
        }
    }
}
