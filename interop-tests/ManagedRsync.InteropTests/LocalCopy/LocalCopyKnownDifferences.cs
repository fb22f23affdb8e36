using Xunit.Sdk;

namespace ManagedRsync.InteropTests.LocalCopy;

/// <summary>
/// The local-copy cases where mrsync is known to differ from stock rsync, each with the reason (for the engine's
/// roles; details and command lines in the issue notes). A listed case must still differ: when it starts to match,
/// <see cref="Check"/> fails and its row goes. Any case not listed must match. The trees differ in none of them.
/// </summary>
internal static class LocalCopyKnownDifferences
{
    private static readonly Dictionary<string, string> Ledger = new(StringComparer.Ordinal)
    {
        ["TwoSources -av"] = "\"total size is\" counts the duplicate names of two sources in stock (its sender lists both and "
            + "the receiver drops one); mrsync's sender lists only the one kept",
    };

    /// <summary>Runs <paramref name="compare"/>; for a listed case, requires that it still finds the difference.</summary>
    public static void Check(string key, Action compare)
    {
        if (!Ledger.TryGetValue(key, out string? reason))
        {
            compare();
            return;
        }
        Exception? difference = Record.Exception(compare);
        Assert.True(difference is XunitException,
            $"'{key}' now matches stock rsync: remove it from {nameof(LocalCopyKnownDifferences)} (it was: {reason})");
    }
}
