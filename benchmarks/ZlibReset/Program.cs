using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;

// What a fresh deflate stream per file costs in a NativeAOT binary (issue 16's "zlib per-file cost"): rsync's zlib codec
// starts every file with deflateReset (token.c: send_deflated_token); DeflateStream has no reset, so mrsync's
// DeflateTokenEncoder makes a new stream per file. Three ways over the same small files, each file's literal data
// written and sync-flushed as the encoder does:
//   fresh   a new DeflateStream per file (what mrsync does)
//   reset   one zlib-ng stream, deflateReset per file (what a reset would cost: the same library, called directly)
//   kept    one DeflateStream never reset (a floor only: its output refers back into earlier files, which rsync's
//           receiver, reset per file, could not decode)
int files = args.Length > 0 ? int.Parse(args[0]) : 10_000;
int size = args.Length > 1 ? int.Parse(args[1]) : 400;
int rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
byte[] data = new byte[size];
var random = new Random(1);
for (int i = 0; i < data.Length; i++)
    data[i] = (byte)"abcdefghij klmnop\n"[random.Next(18)];

var output = new MemoryStream();
var options = new ZLibCompressionOptions { CompressionLevel = 6, CompressionStrategy = ZLibCompressionStrategy.Default };
Console.WriteLine($"# {files} files of {size} bytes, level 6, {rounds} rounds; us per file (min / median)");
Report("fresh", rounds, () =>
{
    for (int i = 0; i < files; i++)
    {
        output.SetLength(0);
        using var deflate = new DeflateStream(output, options, leaveOpen: true);
        deflate.Write(data);
        deflate.Flush();
    }
});
Report("reset", rounds, () => ZlibNg.ResetPerFile(data, files));
Report("kept", rounds, () =>
{
    using var deflate = new DeflateStream(output, options, leaveOpen: true);
    for (int i = 0; i < files; i++)
    {
        output.SetLength(0);
        deflate.Write(data);
        deflate.Flush();
    }
});

void Report(string name, int n, Action run)
{
    run();
    var perFile = new List<double>();
    for (int r = 0; r < n; r++)
    {
        var clock = Stopwatch.StartNew();
        run();
        perFile.Add(clock.Elapsed.TotalMicroseconds / files);
    }
    perFile.Sort();
    Console.WriteLine($"{name,-6} {perFile[0],6:F1} / {perFile[n / 2],6:F1}");
}

internal static unsafe class ZlibNg
{
    private const int ZSyncFlush = 2;

    // zlib's z_stream (zlib.h), which zlib-ng's compatible API keeps.
    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn; public uint AvailIn; public nuint TotalIn;
        public byte* NextOut; public uint AvailOut; public nuint TotalOut;
        public byte* Msg; public void* State; public void* Alloc; public void* Free; public void* Opaque;
        public int DataType; public nuint Adler; public nuint Reserved;
    }

    [DllImport("libz", EntryPoint = "deflateInit2_")]
    private static extern int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, byte* version, int streamSize);
    [DllImport("libz", EntryPoint = "deflate")]
    private static extern int Deflate(ZStream* stream, int flush);
    [DllImport("libz", EntryPoint = "deflateReset")]
    private static extern int DeflateReset(ZStream* stream);
    [DllImport("libz", EntryPoint = "deflateEnd")]
    private static extern int DeflateEnd(ZStream* stream);

    public static void ResetPerFile(byte[] data, int files)
    {
        ZStream stream = default;
        byte* version = stackalloc byte[] { (byte)'1', 0 };
        // Raw deflate, as rsync's (windowBits -15, memLevel 8).
        if (DeflateInit2(&stream, 6, 8, -15, 8, 0, version, sizeof(ZStream)) != 0)
            throw new InvalidOperationException("deflateInit2_ failed");
        byte[] output = new byte[data.Length * 2 + 64];
        fixed (byte* input = data)
        fixed (byte* outputBytes = output)
        {
            for (int i = 0; i < files; i++)
            {
                DeflateReset(&stream);
                stream.NextIn = input;
                stream.AvailIn = (uint)data.Length;
                stream.NextOut = outputBytes;
                stream.AvailOut = (uint)output.Length;
                if (Deflate(&stream, ZSyncFlush) != 0)
                    throw new InvalidOperationException("deflate failed");
            }
        }
        DeflateEnd(&stream);
    }
}
