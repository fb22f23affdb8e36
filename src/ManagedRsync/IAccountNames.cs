namespace ManagedRsync;

/// <summary>
/// Where user and group names come from (uidlist.c: uid_to_user, gid_to_group, user_to_uid, group_to_gid): the host's
/// account files, or a daemon module's "name converter" program (namecvt_call).
/// </summary>
internal interface IAccountNames
{
    /// <summary>The name of <paramref name="uid"/>, or null when it has none.</summary>
    string? UserName(int uid);

    /// <summary>The name of <paramref name="gid"/>, or null when it has none.</summary>
    string? GroupName(int gid);

    /// <summary>The uid named <paramref name="name"/>, or null when there is none.</summary>
    int? UserId(string name);

    /// <summary>The gid named <paramref name="name"/>, or null when there is none.</summary>
    int? GroupId(string name);
}
