using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.Filters;

namespace ManagedRsync.Roles.Receiving;

/// <summary>
/// Maps the sender's user and group ids to local ones as stock's receiver does (rsync uidlist.c: recv_add_id,
/// match_uid, match_gid): the first --usermap/--groupmap rule (--chown is "*:USER" / "*:GROUP") that matches the
/// sender's id or name gives the local id; with no rule, a named id takes the local id of that name (from /etc/passwd
/// and /etc/group) and a nameless one, or id 0, keeps its number. A name is what the sender sent for the id: none with
/// --numeric-ids, and "root" for id 0 when the sender does not send id 0's name (compat.c: xmit_id0_names).
/// </summary>
internal sealed class LocalIds
{
    private readonly Func<string, int?> _users;
    private readonly Func<string, int?> _groups;
    private readonly List<Rule> _userRules = [];
    private readonly List<Rule> _groupRules = [];

    /// <summary>
    /// rsync uidlist.c: parse_name_map — each map's FROM:TO pairs, in order. A FROM that starts with a digit is an id or
    /// an inclusive LOW-HIGH range, one with *, [ or ? a wildcard on the sender's name, anything else the exact name
    /// (empty: only nameless ids). A TO is a local name or a number; an unknown local name drops its pair with an error
    /// line (the run goes on, as stock's does). Read when the receiving side starts (flist.c: recv_file_list).
    /// </summary>
    /// <exception cref="RsyncException">A pair without a colon, without a TO, or with a bad number (exit 1, stock's words).</exception>
    public LocalIds(string? userMap, string? groupMap, ITransferLog log, IAccountNames? names = null)
    {
        names ??= SystemAccountNames.Instance;
        _users = names.UserId;
        _groups = names.GroupId;
        if (userMap is not null)
            Parse(userMap, "user", _users, _userRules, log);
        if (groupMap is not null)
            Parse(groupMap, "group", _groups, _groupRules, log);
    }

    public int MapUser(int remoteId, string? remoteName) => Map(remoteId, remoteName, _userRules, _users);

    public int MapGroup(int remoteId, string? remoteName) => Map(remoteId, remoteName, _groupRules, _groups);

    private static int Map(int remoteId, string? remoteName, List<Rule> rules, Func<string, int?> local)
    {
        string name = remoteName ?? "";
        foreach (Rule rule in rules)
        {
            if (rule.Matches(remoteId, name))
                return rule.To;
        }
        return name.Length > 0 && remoteId != 0 && local(name) is { } id ? id : remoteId;
    }

    private static void Parse(string map, string kind, Func<string, int?> local, List<Rule> rules, ITransferLog log)
    {
        // Stock reads the pairs last to first (so its errors come in that order) and puts each at the front.
        string[] pairs = map.Split(',');
        for (int i = pairs.Length - 1; i >= 0; i--)
        {
            string pair = pairs[i];
            int colon = pair.IndexOf(':');
            if (colon < 0)
                throw new RsyncException(RsyncErrorKind.Usage, $"No colon found in --{kind}map: {pair}");
            if (colon == pair.Length - 1)
                throw new RsyncException(RsyncErrorKind.Usage, $"No name found after colon --{kind}map: {pair}");
            string from = pair[..colon], to = pair[(colon + 1)..];
            Rule rule;
            if (from.Length > 0 && char.IsAsciiDigit(from[0]))
            {
                int dash = from.IndexOf('-');
                if (from.Any(c => !char.IsAsciiDigit(c) && c != '-') || (dash >= 0 && (dash == from.Length - 1 || from.IndexOf('-', dash + 1) >= 0)))
                    throw new RsyncException(RsyncErrorKind.Usage, $"Invalid number in --{kind}map: {from}");
                uint low = ParseId(dash < 0 ? from : from[..dash]);
                // A range whose top is 0 is stock's "no range": the low id alone.
                uint high = dash < 0 ? 0 : ParseId(from[(dash + 1)..]);
                rule = new Rule(RuleKind.Id, low, high, null, 0);
            }
            else
            {
                rule = new Rule(from.AsSpan().IndexOfAny("*[?") >= 0 ? RuleKind.Wildcard : RuleKind.Name, 0, 0, from, 0);
            }
            if (to.All(char.IsAsciiDigit))
                rules.Insert(0, rule with { To = (int)ParseId(to) });
            else if (local(to) is { } id)
                rules.Insert(0, rule with { To = id });
            else
                log.Error($"Unknown --{kind}map name on receiver: {to}");
        }
    }

    // uidlist.c: id_parse — digits only, no wrap-around.
    private static uint ParseId(string digits) =>
        uint.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint id)
            ? id : throw new RsyncException(RsyncErrorKind.Usage, $"Invalid ID number: {digits}");

    private enum RuleKind
    {
        Id,
        Name,
        Wildcard,
    }

    private sealed record Rule(RuleKind Kind, uint Low, uint High, string? Name, int To)
    {
        public bool Matches(int id, string name) => Kind switch
        {
            RuleKind.Wildcard => WildMatch.IsMatch(Encoding.UTF8.GetBytes(Name!), Encoding.UTF8.GetBytes(name)),
            RuleKind.Name => Name == name,
            _ => High != 0 ? (uint)id >= Low && (uint)id <= High : (uint)id == Low,
        };
    }
}
