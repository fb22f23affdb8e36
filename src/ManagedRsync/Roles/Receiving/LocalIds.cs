
namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// Maps the sender's user and group names to local ids (rsync uidlist.c: match_uid/match_gid: by name unless
/// --numeric-ids, falling back to the sender's number), from /etc/passwd and /etc/group.
/// </summary>
internal sealed class LocalIds
{
    private readonly Dictionary<string, int> _users = Load("/etc/passwd");
    private readonly Dictionary<string, int> _groups = Load("/etc/group");

    public int MapUser(int remoteId, IReadOnlyDictionary<int, string> remoteNames) =>
        remoteNames.TryGetValue(remoteId, out var name) && _users.TryGetValue(name, out int local) ? local : remoteId;

    public int MapGroup(int remoteId, IReadOnlyDictionary<int, string> remoteNames) =>
        remoteNames.TryGetValue(remoteId, out var name) && _groups.TryGetValue(name, out int local) ? local : remoteId;

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
