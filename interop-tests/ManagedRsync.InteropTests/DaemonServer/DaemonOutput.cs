using System.Text.RegularExpressions;

namespace ManagedRsync.InteropTests.DaemonServer;

/// <summary>
/// A stock client's output against mrsync's daemon made comparable with its output against stock's: the rate line
/// (it differs between any two runs), the speedup, the receiver's temporary names in debug lines, the two sides' own
/// directories, and the mapped difference of <see cref="StockClientParityTests"/> (mrsync's server never turns on
/// incremental recursion, so stock's client prints "building/receiving file list ... done").
/// </summary>
internal static class DaemonOutput
{
    public static string Normalize(string output, string placeholder, params string[] sides)
    {
        string text = output;
        foreach (string side in sides)
            text = text.Replace(side, placeholder, StringComparison.Ordinal);
        text = Regex.Replace(text, @"^sent [\d,]+ bytes  received [\d,]+ bytes  [\d,.]+ bytes/sec\n", "", RegexOptions.Multiline);
        text = Regex.Replace(text, @"speedup is [\d,.]+", "speedup is X");
        // receiver.c: get_tmpname's ".NAME.XXXXXX" in stock's debug lines.
        text = Regex.Replace(text, @"(\.[^/\s]+\.)[A-Za-z0-9]{6}\b", "$1XXXXXX");
        return text.Replace("sending incremental file list\n", "building file list ... done\n", StringComparison.Ordinal)
            .Replace("receiving incremental file list\n", "receiving file list ... done\n", StringComparison.Ordinal);
    }
}
