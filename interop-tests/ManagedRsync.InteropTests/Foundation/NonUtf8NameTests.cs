using System.Runtime.InteropServices;
using System.Text;
using ManagedRsync.FileList;
using ManagedRsync.InteropTests.Fixtures;
using ManagedRsync.Watch;

namespace ManagedRsync.InteropTests.Foundation;

/// <summary>
/// File names that are not valid UTF-8 (GBK and Latin-1 names on old file servers): rsync moves names as bytes, and so
/// must mrsync, on push and pull and under --delete, where a name we could not represent would be deleted from the
/// backup.
/// </summary>
[Collection(RsyncDaemonCollection.Name)]
public sealed partial class NonUtf8NameTests(RsyncDaemonFixture daemon) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("mrsync-nonutf8-").FullName;

    private readonly List<string> _moduleDirectories = [];

    // .NET's Directory.Delete cannot remove names that are not UTF-8.
    public void Dispose()
    {
        foreach (string path in _moduleDirectories.Append(_work))
            ToolProcess.RunAsync("rm", ["-rf", path]).GetAwaiter().GetResult();
    }

    private string ModuleDirectory(string name)
    {
        string path = Path.Combine(daemon.ModulePath(DaemonModules.Open), name);
        _moduleDirectories.Add(path);
        return path;
    }

    private static readonly byte[] Gbk = [.. "gbk-"u8, 0xc4, 0xe3, 0xba, 0xc3, .. ".txt"u8];   // 你好 in GBK
    private static readonly byte[] Latin1 = [.. "caf"u8, 0xe9];                               // café in Latin-1
    private static readonly byte[] Directory1 = [.. "dir"u8, 0xfe];
    private static readonly byte[] Inner = [.. "in"u8, 0xff, .. ".txt"u8];
    private static readonly byte[] Target = [.. "target-"u8, 0xe9];

    private static void CreateSource(string root)
    {
        Directory.CreateDirectory(root);
        RawFiles.Write(root, Gbk, "new gbk content");
        RawFiles.Write(root, Latin1, "latin-1");
        RawFiles.Write(root, "plain.txt"u8.ToArray(), "plain");
        RawFiles.MakeDirectory(root, Directory1);
        RawFiles.Write(root, [.. Directory1, (byte)'/', .. Inner], "inner");
        RawFiles.Symlink(root, Target, "link"u8.ToArray());
    }

    [Fact]
    public async Task PushKeepsTheExactBytesOfEveryName()
    {
        string src = Path.Combine(_work, "src");
        CreateSource(src);
        string stockName = "stock-" + Guid.NewGuid().ToString("N")[..12], mineName = "mine-" + Guid.NewGuid().ToString("N")[..12];

        ProcessResult stock = await daemon.RunRsyncAsync(["-a", src + "/", $"{daemon.Url}{DaemonModules.Open}/{stockName}/"]);
        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", src + "/", $"{daemon.Url}{DaemonModules.Open}/{mineName}/"]);

        Assert.True(stock.ExitCode == 0 && mine.ExitCode == 0, daemon.Explain(stock, mine));
        string stockTree = RawFiles.Describe(ModuleDirectory(stockName));
        Assert.Contains("gbk-\\xc4\\xe3\\xba\\xc3.txt = new gbk content", stockTree);
        Assert.Equal(stockTree, RawFiles.Describe(ModuleDirectory(mineName)));
    }

    [Fact]
    public async Task DeleteRemovesOnlyWhatTheSourceLacks()
    {
        // The backup already holds the GBK file (from an earlier stock rsync) and an extraneous Latin-1 one.
        string src = Path.Combine(_work, "src");
        CreateSource(src);
        string name = "delete-" + Guid.NewGuid().ToString("N")[..12];
        string dst = ModuleDirectory(name);
        Directory.CreateDirectory(dst);
        RawFiles.Write(dst, Gbk, "older, longer gbk content");
        RawFiles.Write(dst, [.. "extra"u8, 0xe9], "extraneous");

        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--delete", src + "/", $"{daemon.Url}{DaemonModules.Open}/{name}/"]);

        Assert.True(mine.ExitCode == 0, daemon.Explain(mine));
        Assert.Equal(RawFiles.Describe(src), RawFiles.Describe(dst));
    }

    [Fact]
    public async Task PullRestoresTheExactBytesOfEveryName()
    {
        string module = Path.Combine(daemon.ModulePath(DaemonModules.ReadOnly), "nonutf8-" + Guid.NewGuid().ToString("N")[..12]);
        _moduleDirectories.Add(module);
        CreateSource(module);
        string dst = Path.Combine(_work, "restore");
        Directory.CreateDirectory(dst);
        RawFiles.Write(dst, [.. "extra"u8, 0xe9], "extraneous");
        RawFiles.Write(dst, Gbk, "older, longer gbk content");

        ProcessResult mine = await daemon.RunMrsyncAsync(["-a", "--delete", $"{daemon.Url}{DaemonModules.ReadOnly}/{Path.GetFileName(module)}/", dst + "/"]);

        Assert.True(mine.ExitCode == 0, daemon.Explain(mine));
        Assert.Equal(RawFiles.Describe(module), RawFiles.Describe(dst));
    }

    [Fact]
    public void EscapedNamesRoundTripToTheirBytes()
    {
        byte[][] names = [Gbk, Latin1, Inner, [0x80], [0xed, 0xa0, 0x80], [.. "ok-"u8, 0xf0, 0x9f, 0x98, 0x80], "plain"u8.ToArray()];
        foreach (byte[] bytes in names)
        {
            string text = FileNameEncoding.Decode(bytes);
            Assert.Equal(bytes, FileNameEncoding.Encode(text));
            Assert.Equal(!System.Text.Unicode.Utf8.IsValid(bytes), FileNameEncoding.HasEscapes(text));
        }
        Assert.Equal("gbk-\\#304\\#343\\#272\\#303.txt", FileNameEncoding.Display(Gbk));
    }

    /// <summary>Creating and describing trees by name bytes, which .NET's file APIs cannot do.</summary>
    private static partial class RawFiles
    {
        public static void Write(string root, byte[] relative, string content)
        {
            int fd = Open(Path(root, relative), 0x1 | 0x40 | 0x200 | 0x80000, 0x1a4); // O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644
            Assert.True(fd >= 0, $"open failed: {Marshal.GetLastPInvokeError()}");
            using var stream = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Write);
            stream.Write(Encoding.UTF8.GetBytes(content));
        }

        public static void MakeDirectory(string root, byte[] relative) =>
            Assert.True(Mkdir(Path(root, relative), 0x1ed) == 0, $"mkdir failed: {Marshal.GetLastPInvokeError()}");

        public static void Symlink(string root, byte[] target, byte[] relative) =>
            Assert.True(SymlinkNative([.. target, 0], Path(root, relative)) == 0, $"symlink failed: {Marshal.GetLastPInvokeError()}");

        /// <summary>Every entry under <paramref name="root"/> with its bytes hex-escaped: a file's content, a link's target.</summary>
        public static string Describe(string root)
        {
            var lines = new List<string>();
            Walk(Encoding.UTF8.GetBytes(root), [], lines);
            lines.Sort(StringComparer.Ordinal);
            return string.Join('\n', lines);
        }

        private static void Walk(byte[] root, byte[] relative, List<string> lines)
        {
            var children = new List<(byte[] Name, EntryType Type)>();
            byte[] dir = relative.Length == 0 ? root : [.. root, (byte)'/', .. relative];
            Assert.Equal(0, RawDirectory.List(dir, (name, type) => children.Add((name.ToArray(), type))));
            foreach (var (name, type) in children)
            {
                byte[] rel = relative.Length == 0 ? name : [.. relative, (byte)'/', .. name];
                string shown = Show(rel);
                string full = FileNameEncoding.Decode([.. root, (byte)'/', .. rel]);
                if (type == EntryType.Directory)
                {
                    lines.Add(shown + "/");
                    Walk(root, rel, lines);
                }
                else if (type == EntryType.Symlink)
                {
                    lines.Add(shown + " -> " + Show(LocalFile.ReadLink(full) ?? []));
                }
                else
                {
                    using var stream = LocalFile.OpenRead(full, new FileStreamOptions());
                    lines.Add(shown + " = " + new StreamReader(stream).ReadToEnd());
                }
            }
        }

        private static string Show(byte[] bytes) =>
            string.Concat(bytes.Select(b => b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}"));

        private static byte[] Path(string root, byte[] relative) => [.. Encoding.UTF8.GetBytes(root), (byte)'/', .. relative, 0];

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true)]
        private static partial int Open(byte[] path, int flags, int mode);

        [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true)]
        private static partial int Mkdir(byte[] path, int mode);

        [LibraryImport("libc", EntryPoint = "symlink", SetLastError = true)]
        private static partial int SymlinkNative(byte[] target, byte[] path);
    }
}
