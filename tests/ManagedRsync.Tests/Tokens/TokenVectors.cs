using ManagedRsync.Delta.Tokens;

namespace ManagedRsync.Tests.Tokens;

/// <summary>
/// The token streams stock rsync 3.5.0 sent (tests/tools/capture-token-vectors.sh; Vectors/Tokens/manifest.txt maps
/// each case to its stored stream, identical streams are stored once).
/// </summary>
internal static class TokenVectors
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Vectors", "Tokens");

    /// <summary>set codec protocol direction, as in the manifest.</summary>
    public static IEnumerable<object[]> Cases() =>
        File.ReadAllLines(Path.Combine(Directory, "manifest.txt"))
            .Where(line => line.Length > 0)
            .Select(line => line.Split(' '))
            .Select(f => new object[] { f[0], f[1], int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3] });

    public static byte[] Stream(string set, string codec, int protocol, string direction)
    {
        foreach (var line in File.ReadAllLines(Path.Combine(Directory, "manifest.txt")))
        {
            var f = line.Split(' ');
            if (f.Length == 5 && f[0] == set && f[1] == codec && f[2] == protocol.ToString(System.Globalization.CultureInfo.InvariantCulture) && f[3] == direction)
                return File.ReadAllBytes(Path.Combine(Directory, f[4]));
        }
        throw new InvalidOperationException($"no vector for {set} {codec} {protocol} {direction}");
    }

    public static TokenCodec Codec(string name) =>
        TokenCodecNames.TryParse(name, out var codec) ? codec : throw new ArgumentException(name);

    /// <summary>The basis (empty for a file sent whole), the new file and the block length the capture used.</summary>
    public static (byte[] Basis, byte[] New, int BlockLength) Files(string set) => set switch
    {
        "small" => (Read("small-basis.bin"), Read("small-new.bin"), 2048),
        "long" => (Read("long-basis.bin"), Read("long-new.bin"), 100000),
        "whole" => ([], Read("small-new.bin"), 2048),
        _ => throw new ArgumentException(set),
    };

    public static int BlockCount(byte[] basis, int blockLength) => (basis.Length + blockLength - 1) / blockLength;

    private static byte[] Read(string name) => File.ReadAllBytes(Path.Combine(Directory, name));
}
