namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// The modules every fixture daemon serves. To add one, add one line here; <see cref="RsyncDaemonFixture.ModulePath"/>
/// gives its directory (created empty), and <c>Extra</c> takes any further rsyncd.conf lines for it.
/// </summary>
public static class DaemonModules
{
    /// <summary>Read-write, needs <see cref="RsyncDaemonFixture.User"/> and <see cref="RsyncDaemonFixture.Password"/>.</summary>
    public const string Auth = "auth";

    /// <summary>Read-write, anonymous.</summary>
    public const string Open = "open";

    /// <summary>Read-only, anonymous.</summary>
    public const string ReadOnly = "ro";

    /// <summary>Anonymous, not shown in the module list (<c>list = false</c>).</summary>
    public const string Hidden = "hidden";

    /// <summary>Like <see cref="Auth"/> but refuses digests weaker than sha256 (3.5.0's <c>auth digest</c>).</summary>
    public const string StrongAuth = "strongauth";

    public static readonly IReadOnlyList<DaemonModule> All =
    [
        new(Auth, Comment: "read-write with auth", AuthUsers: RsyncDaemonFixture.User),
        new(Open, Comment: "read-write anonymous"),
        new(ReadOnly, Comment: "read-only anonymous", ReadOnly: true),
        new(Hidden, Comment: "not listed", List: false),
        new(StrongAuth, Comment: "auth, sha256 or stronger", AuthUsers: RsyncDaemonFixture.User, Extra: ["auth digest = sha256"]),
    ];
}

/// <summary>One <c>[module]</c> section of the generated rsyncd.conf.</summary>
/// <param name="Name">Module name.</param>
/// <param name="Comment">Shown in module listings.</param>
/// <param name="ReadOnly"><c>read only</c>.</param>
/// <param name="List"><c>list</c>.</param>
/// <param name="AuthUsers"><c>auth users</c>; the fixture's secrets file is used with it.</param>
/// <param name="Extra">More rsyncd.conf lines for this module, verbatim but for "{root}", the fixture's directory.</param>
public sealed record DaemonModule(
    string Name,
    string Comment = "",
    bool ReadOnly = false,
    bool List = true,
    string? AuthUsers = null,
    params string[] Extra);
