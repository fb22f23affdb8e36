using System.Net;
using System.Net.Sockets;

namespace ManagedRsync.InteropTests.Fixtures;

/// <summary>
/// Ports for servers the tests start. They come from outside the kernel's ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), so no outgoing connection of this or any other process can hold
/// one by chance between our check and the daemon's bind, or while a stopped daemon waits to be restarted.
/// </summary>
internal static class FixturePorts
{
    private const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    // Below 10000 live many well-known services; the ranges are searched above it.
    private const int Lowest = 10000;

    /// <summary>A random port outside the ephemeral range that nothing listens on right now.</summary>
    public static int PickFree(Random random)
    {
        var (low, high) = EphemeralRange();
        var candidates = new List<(int From, int To)>();
        if (low > Lowest)
            candidates.Add((Lowest, low - 1));
        if (high < 65535)
            candidates.Add((high + 1, 65535));
        if (candidates.Count == 0)
            throw new InvalidOperationException($"{RangeFile} is {low}-{high}: no port above {Lowest} is outside it");
        int total = candidates.Sum(c => c.To - c.From + 1);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int pick = random.Next(total);
            foreach (var (from, to) in candidates)
            {
                if (pick <= to - from)
                {
                    int port = from + pick;
                    if (IsFree(port))
                        return port;
                    break;
                }
                pick -= to - from + 1;
            }
        }
        throw new InvalidOperationException($"no free loopback port found outside the ephemeral range {low}-{high}");
    }

    /// <summary>The kernel's ephemeral range, low and high inclusive (rsync and tests alike get their source ports there).</summary>
    public static (int Low, int High) EphemeralRange()
    {
        string[] parts = File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return (int.Parse(parts[0]), int.Parse(parts[1]));
    }

    public static bool IsFree(int port)
    {
        try
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
