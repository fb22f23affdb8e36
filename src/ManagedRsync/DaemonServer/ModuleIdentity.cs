using System.Runtime.InteropServices;
using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The user and groups a module is served as (clientserver.c: rsync_module): "uid", else "nobody" when the daemon
/// runs as root; "gid" (names or numbers separated by spaces or commas, "*" first for all the user's groups), else
/// "nogroup" as root (configure.ac: NOBODY_GROUP, "nogroup" where /etc/group has it, else "nobody"). Taken by the
/// connection's own process only (<see cref="DaemonOptions.OwnProcess"/>): glibc's setuid changes every thread.
/// </summary>
internal sealed record ModuleIdentity(uint? Uid, IReadOnlyList<uint> Gids)
{
    /// <summary>
    /// The identity <paramref name="module"/> asks for when the daemon runs as <paramref name="euid"/>, or the text of
    /// stock's refusal ("invalid uid nosuch").
    /// </summary>
    public static (ModuleIdentity? Identity, string? Error) Resolve(DaemonModule module, uint euid)
    {
        bool root = euid == 0;
        string? user = module.Uid ?? (root ? "nobody" : null);
        uint? uid = null;
        if (user is not null)
        {
            uid = IdOf(user, LocalAccounts.UserId);
            if (uid is null)
                return (null, $"invalid uid {user}");
        }
        var gids = new List<uint>();
        string[] groups = module.Gid?.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (groups.Length == 0 && root)
            groups = [LocalAccounts.GroupId("nogroup") is not null ? "nogroup" : "nobody"];
        for (int i = 0; i < groups.Length; i++)
        {
            if (i == 0 && groups[i] == "*")
            {
                // uidlist.c: getallgroups — the user's groups, its primary group first.
                if (LocalAccounts.UserById(uid ?? Interop.GetEffectiveUserId()) is not { } account)
                    return (null, "getpwuid failed");
                gids.Add(account.Gid);
                foreach (string g in LocalAccounts.GroupsOf(account.Name))
                {
                    if (LocalAccounts.GroupId(g) is { } id && !gids.Contains(id))
                        gids.Add(id);
                }
                continue;
            }
            if (IdOf(groups[i], LocalAccounts.GroupId) is not { } gid)
                return (null, $"invalid gid {groups[i]}");
            gids.Add(gid);
        }
        return (new ModuleIdentity(uid, gids), null);
    }

    // uidlist.c: user_to_uid / group_to_gid with num_ok — all digits is the number itself, else the name's id.
    private static uint? IdOf(string name, Func<string, uint?> lookup) =>
        name.All(char.IsAsciiDigit) && uint.TryParse(name, out uint n) ? n : lookup(name);

    /// <summary>True when taking this identity changes nothing for a process running as <paramref name="euid"/>/<paramref name="egid"/>.</summary>
    public bool IsCurrent(uint euid, uint egid) => (Uid is null || Uid == euid) && Gids.All(g => g == egid);

    /// <summary>
    /// Takes the identity (setgid, setgroups, then setuid and seteuid); on a failure returns the log line and the
    /// call named in stock's "@ERROR: setgid failed".
    /// </summary>
    public (string Log, string Call)? Apply()
    {
        if (Gids.Count > 0)
        {
            if (Interop.SetGroupId(Gids[0]) != 0)
                return ($"setgid {Gids[0]} failed: {Marshal.GetLastPInvokeErrorMessage()}", "setgid");
            if (Interop.SetGroups((nuint)Gids.Count, [.. Gids]) != 0)
                return ($"setgroups failed: {Marshal.GetLastPInvokeErrorMessage()}", "setgroups");
        }
        if (Uid is { } uid && (Interop.SetUserId(uid) != 0 || Interop.SetEffectiveUserId(uid) != 0))
            return ($"setuid {uid} failed: {Marshal.GetLastPInvokeErrorMessage()}", "setuid");
        return null;
    }
}
