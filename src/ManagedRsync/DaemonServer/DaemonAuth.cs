using System.Security.Cryptography;
using System.Text;
using ManagedRsync.Checksums;
using ManagedRsync.Daemon;
using ManagedRsync.Filters;
using ManagedRsync.Platform;

namespace ManagedRsync.DaemonServer;

/// <summary>
/// The daemon's side of module authentication (authenticate.c: auth_server, gen_challenge, check_secret; compat.c:
/// negotiate_daemon_auth): the digest is chosen from the client's greeting list, a challenge of 32 random bytes is
/// sent as "@RSYNCD: AUTHREQD CHALLENGE", and the answer "USER RESPONSE" must match a rule of "auth users" (a user or
/// "@group" wildcard with ":ro", ":rw" or ":deny") and the secret of that user or group in the secrets file.
/// </summary>
internal static class DaemonAuth
{
    /// <summary>What auth_server decided: the user (empty without "auth users"), and ":ro"/":rw" when a rule said so.</summary>
    public readonly record struct Outcome(string? User, bool? ReadOnly, string? Failure);

    public static async Task<Outcome> AuthenticateAsync(DaemonLineIo io, DaemonModule module, AuthDigest digest,
        string host, string address, CancellationToken ct)
    {
        string? users = module.AuthUsers;
        if (users is null)
            return new Outcome("", null, null);

        // authenticate.c: a configured "auth digest" is a floor; a weaker negotiated digest fails the login.
        if (module.AuthDigest is { } floor)
        {
            int floorRank = Rank(floor);
            if (floorRank < 0)
                return Fail($"the configured 'auth digest = {floor}' is not a supported digest on this build");
            if (Rank(AuthDigestNegotiation.Name(digest)) > floorRank)
                return Fail($"negotiated auth digest {AuthDigestNegotiation.Name(digest)} is weaker than the required 'auth digest = {floor}'");
        }

        string challenge = Challenge(digest, address);
        await io.WriteAsync($"@RSYNCD: AUTHREQD {challenge}\n", ct).ConfigureAwait(false);
        string? line = await io.ReadLineAsync(nulTerminated: false, ct).ConfigureAwait(false);
        int space = line?.IndexOf(' ') ?? -1;
        if (line is null || space < 0)
            return Fail("invalid challenge response");
        string user = line[..space];
        string response = line[(space + 1)..];

        (string? token, char option, string? group) = MatchRule(users, user);
        string? error = token is null ? "no matching rule"
            : option == 'd' ? "denied by rule"
            : CheckSecret(module, user, group, digest, challenge, response);
        if (error is not null)
            return new Outcome(null, null, $"auth failed on module {module.Name} from {host} ({address}) for {user}: {error}");
        return new Outcome(user, option == 'r' ? true : option == 'w' ? false : null, null);

        Outcome Fail(string why) => new(null, null, $"auth failed on module {module.Name} from {host} ({address}): {why}");
    }

    private static int Rank(string name) =>
        AuthDigestNegotiation.TryParseName(name, out AuthDigest d) ? IndexOf(d == AuthDigest.Md4Legacy ? AuthDigest.Md4 : d) : -1;

    private static int IndexOf(AuthDigest d)
    {
        for (int i = 0; i < AuthDigestNegotiation.DefaultPreference.Count; i++)
        {
            if (AuthDigestNegotiation.DefaultPreference[i] == d)
                return i;
        }
        return -1;
    }

    // authenticate.c: gen_challenge — the digest of 32 random bytes and address/time/pid, base64 without padding.
    private static string Challenge(AuthDigest digest, string address)
    {
        byte[] input = new byte[64];
        RandomNumberGenerator.Fill(input.AsSpan(0, 32));
        Encoding.ASCII.GetBytes(address.Length > 16 ? address[..16] : address, input.AsSpan(32));
        BitConverter.TryWriteBytes(input.AsSpan(48), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        BitConverter.TryWriteBytes(input.AsSpan(56), Environment.ProcessId);
        byte[] hash = digest switch
        {
            AuthDigest.Sha512 => SHA512.HashData(input),
            AuthDigest.Sha256 => SHA256.HashData(input),
            AuthDigest.Sha1 => SHA1.HashData(input),
            AuthDigest.Md5 => MD5.HashData(input),
            _ => Md4Of(input),
        };
        return Convert.ToBase64String(hash).TrimEnd('=');
    }

    private static byte[] Md4Of(byte[] input)
    {
        var md4 = new Md4();
        md4.Append(input);
        byte[] hash = new byte[Md4.HashSizeInBytes];
        md4.GetHashAndReset(hash);
        return hash;
    }

    // authenticate.c: auth_server's loop over conf_strtok(users): the first rule whose user (or, for "@group", one of
    // the user's groups) matches as a wildcard wins; ":deny", ":ro", ":rw" after it set the option.
    private static (string? Token, char Option, string? Group) MatchRule(string users, string user)
    {
        // util1.c: conf_strtok — a value starting with a comma splits on commas only.
        string[] tokens = users.StartsWith(',')
            ? users.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : users.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<string>? groups = null;
        foreach (string raw in tokens)
        {
            string token = raw;
            char option = '\0';
            int colon = token.IndexOf(':');
            if (colon >= 0)
            {
                string opts = token[(colon + 1)..].ToLowerInvariant();
                token = token[..colon];
                option = opts.StartsWith("ro", StringComparison.Ordinal) ? 'r'
                    : opts.StartsWith("rw", StringComparison.Ordinal) ? 'w'
                    : opts.StartsWith('d') ? 'd'
                    : '\0';
            }
            if (token.StartsWith('@'))
            {
                groups ??= LocalAccounts.GroupsOf(user);
                string? group = groups.FirstOrDefault(g => Match(token[1..], g));
                if (group is not null)
                    return (raw, option, group);
            }
            else if (Match(token, user))
            {
                return (raw, option, null);
            }
        }
        return (null, '\0', null);
    }

    private static bool Match(string pattern, string text) =>
        WildMatch.IsMatch(Encoding.UTF8.GetBytes(pattern), Encoding.UTF8.GetBytes(text));

    // authenticate.c: check_secret — the secrets file is opened without following a symlink an attacker owns; with
    // "strict modes" it must not be other-accessible, and owned by root when the daemon runs as root; the first line
    // "USER:SECRET" (or "@GROUP:SECRET" for the matched group) decides.
    private static string? CheckSecret(DaemonModule module, string user, string? group, AuthDigest digest, string challenge,
        string response)
    {
        if (module.SecretsFile is not { } path)
            return "no secrets file";
        OwnerCheckedOpen.Result opened = OwnerCheckedOpen.OpenForReading(path);
        if (opened.Handle is null)
            return "no secrets file";
        string[] lines;
        using (opened.Handle)
        {
            (uint owner, uint mode) = NativeStat.OwnerAndMode(opened.Handle);
            if (module.StrictModes && ((mode & 6) != 0 || (Interop.GetEffectiveUserId() == 0 && owner != 0)))
                return "ignoring secrets file";
            using var stream = new FileStream(opened.Handle, FileAccess.Read, 1);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            lines = reader.ReadToEnd().Split('\n');
        }
        if (user.StartsWith('#'))
            return "invalid username";
        string? error = "secret not found";
        bool userDone = false, groupDone = group is null;
        foreach (string raw in lines)
        {
            string line = raw.TrimEnd('\r');
            bool isGroup = line.StartsWith('@');
            string name = isGroup ? group ?? "" : user;
            if ((isGroup ? groupDone : userDone) || line.Length == 0)
                continue;
            string rest = isGroup ? line[1..] : line;
            if (!rest.StartsWith(name + ":", StringComparison.Ordinal))
                continue;
            string secret = rest[(name.Length + 1)..];
            if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(AuthDigestNegotiation.Respond(digest, secret, challenge)),
                    Encoding.ASCII.GetBytes(response)))
                return null;
            error = "password mismatch";
            if (isGroup)
                groupDone = true;
            else
                userDone = true;
        }
        return error;
    }
}
