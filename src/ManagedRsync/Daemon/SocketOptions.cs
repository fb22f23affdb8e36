using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace ManagedRsync.Daemon;

/// <summary>
/// --sockopts=OPTIONS on the socket to a daemon (or its proxy), set before connecting (rsync socket.c: open_socket_out
/// calls set_socket_options). Words split at blanks, tabs and commas; NAME or NAME=VALUE (atoi). An unknown name, a
/// value given to a name that takes none, and a setsockopt the kernel refuses are each reported and skipped: the run
/// goes on, as stock's does.
/// </summary>
internal static class SocketOptions
{
    private enum Kind
    {
        /// <summary>An int, 1 unless a value is given.</summary>
        Int,
        /// <summary>A fixed value (IP_TOS's); a value given is a syntax error, and the fixed one is set anyway.</summary>
        Fixed,
    }

    private sealed record Option(string Name, int Level, int Number, int Value, Kind Kind);

    // socket.c: socket_options[], with Linux's numbers (SOL_SOCKET 1, IPPROTO_IP 0, IPPROTO_TCP 6, <asm/socket.h>).
    // SO_SNDTIMEO and SO_RCVTIMEO take an int here as in stock, which Linux refuses (it wants a timeval): EINVAL, reported.
    private static readonly Option[] Table =
    [
        new("SO_KEEPALIVE", 1, 9, 0, Kind.Int),
        new("SO_REUSEADDR", 1, 2, 0, Kind.Int),
        new("SO_BROADCAST", 1, 6, 0, Kind.Int),
        new("TCP_NODELAY", 6, 1, 0, Kind.Int),
        new("IPTOS_LOWDELAY", 0, 1, 0x10, Kind.Fixed),
        new("IPTOS_THROUGHPUT", 0, 1, 0x08, Kind.Fixed),
        new("SO_SNDBUF", 1, 7, 0, Kind.Int),
        new("SO_RCVBUF", 1, 8, 0, Kind.Int),
        new("SO_SNDLOWAT", 1, 19, 0, Kind.Int),
        new("SO_RCVLOWAT", 1, 18, 0, Kind.Int),
        new("SO_SNDTIMEO", 1, 21, 0, Kind.Int),
        new("SO_RCVTIMEO", 1, 20, 0, Kind.Int),
    ];

    // glibc atoi: (int)strtol(s, NULL, 10), the long saturated and then cut to its low 32 bits; no digits is 0. (A
    // word holds no blank: strtok split there.)
    private static int Atoi(ReadOnlySpan<char> text)
    {
        int sign = text.Length > 0 && text[0] is '-' or '+' ? 1 : 0;
        int digits = sign;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
            digits++;
        ReadOnlySpan<char> number = text[..digits];
        if (long.TryParse(number, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long n))
            return unchecked((int)n);
        return digits == sign ? 0 : unchecked((int)(text[0] == '-' ? long.MinValue : long.MaxValue));
    }

    /// <summary>
    /// Sets <paramref name="options"/> on <paramref name="socket"/>; each problem goes to <paramref name="report"/> in
    /// stock's words, a refused setsockopt as "rsync: [ROLE] failed to set socket option NAME: REASON (ERRNO)".
    /// </summary>
    public static void Apply(Socket socket, string? options, string role, Action<string> report)
    {
        if (string.IsNullOrEmpty(options))
            return;
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        foreach (string word in options.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = word.IndexOf('=');
            string name = eq < 0 ? word : word[..eq];
            int value = eq < 0 ? 1 : Atoi(word.AsSpan(eq + 1));
            Option? option = Array.Find(Table, o => o.Name == name);
            if (option is null)
            {
                report($"Unknown socket option {name}");
                continue;
            }
            if (option.Kind == Kind.Fixed)
            {
                if (eq >= 0)
                    report($"syntax error -- {name} does not take a value");
                value = option.Value;
            }
            MemoryMarshal.Write(bytes, in value);
            try
            {
                socket.SetRawSocketOption(option.Level, option.Number, bytes);
            }
            catch (SocketException e)
            {
                int errno = e.NativeErrorCode;
                report($"rsync: [{role}] failed to set socket option {name}: {Marshal.GetPInvokeErrorMessage(errno)} ({errno})");
            }
        }
    }
}
