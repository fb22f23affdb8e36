using System.Text;
using ManagedRsync.Server;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// <c>mrsync --server [--sender] ...</c>: the far end of a remote shell, as a client runs it with
/// <c>rsync -e ssh --rsync-path=mrsync</c> (rsync main.c: start_server over stdin/stdout). The vector is the client's
/// server_options; with -s the rest of it comes on stdin first (main.c: read_args when am_server &amp;&amp; protect_args).
/// The server works in the directory the shell started it in, as stock's does (no module, no confinement beyond what
/// the remote user may do anyway).
/// </summary>
internal static class ServerCommand
{
    // rsync io.c: read_args reads each secluded word into a MAXPATHLEN buffer.
    private const int MaxWordBytes = 4096;

    public static int Run(string[] args)
    {
        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        using Stream input = new AbandonableReads(Console.OpenStandardInput());
        using Stream output = Console.OpenStandardOutput();
        try
        {
            return (int)RunAsync(args, input, output, cts.Token).GetAwaiter().GetResult();
        }
        catch (RsyncException e)
        {
            // Before the output is multiplexed (or when the connection is gone) stderr is the only way to the user.
            Console.Error.WriteLine(e.Message.StartsWith("rsync", StringComparison.Ordinal) ? e.Message : "rsync: " + e.Message);
            return (int)e.ExitCode;
        }
    }

    /// <summary>Serves the client on <paramref name="input"/>/<paramref name="output"/>; returns the exit code.</summary>
    public static async Task<RsyncExitCode> RunAsync(IReadOnlyList<string> args, Stream input, Stream output, CancellationToken ct)
    {
        List<string> argv = [.. args];
        // main.c: "--server --daemon" starts a daemon over the remote shell (daemon_main on stdin/stdout).
        if (argv.Contains("--daemon"))
            throw new RsyncException(RsyncErrorKind.Unsupported, "--server --daemon (a daemon over a remote shell) is not supported yet");
        int letters = argv.Count > 1 && argv[1] == "--sender" ? 2 : 1;
        if (letters < argv.Count && argv[letters].StartsWith("-s", StringComparison.Ordinal) && !argv[letters].StartsWith("--", StringComparison.Ordinal))
        {
            // The client ended its command line after the letters; the rest replaces it (a new arg 0, then the words).
            List<string> secluded = await ReadSecludedAsync(input, ct).ConfigureAwait(false);
            argv = [.. argv.Take(letters), "-" + argv[letters][2..], .. secluded.Skip(1)];
        }
        return await RsyncServer.RunAsync(input, output, argv, new ServerSettings { Root = Environment.CurrentDirectory }, ct)
            .ConfigureAwait(false);
    }

    // rsync io.c: read_args with rl_nulls: NUL-terminated words up to an empty one, each bounded.
    private static async Task<List<string>> ReadSecludedAsync(Stream input, CancellationToken ct)
    {
        var words = new List<string>();
        var word = new List<byte>();
        byte[] one = new byte[1];
        while (true)
        {
            if (await input.ReadAsync(one, ct).ConfigureAwait(false) == 0)
                throw new RsyncException(RsyncErrorKind.ConnectionClosed, "connection unexpectedly closed while reading the secluded arguments");
            if (one[0] != 0)
            {
                if (word.Count >= MaxWordBytes)
                    throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, "secluded argument too long");
                word.Add(one[0]);
                continue;
            }
            if (word.Count == 0)
                return words;
            if (words.Count >= ServerArgumentParser.MaxArguments)
                throw new RsyncException(RsyncErrorKind.ProtocolIncompatible, "too many secluded arguments");
            words.Add(Encoding.UTF8.GetString([.. word]));
            word.Clear();
        }
    }

    /// <summary>
    /// Standard input whose asynchronous reads can be given up: a read of stdin blocks in the kernel and cannot be
    /// cancelled, and the connection's reader waits for its last read when the session ends, while the client waits for
    /// this process to exit before it closes its end (main.c: client_run, wait_process_with_flush). A cancelled read is
    /// left to finish into a buffer of its own, and what it brings is dropped with the session.
    /// </summary>
    private sealed class AbandonableReads(Stream inner) : Stream
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private Task<int>? _pending;

        public override bool CanRead => true;
        public override bool CanWrite => false;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int wanted = Math.Min(buffer.Length, _buffer.Length);
            _pending ??= Task.Factory.StartNew(() => inner.Read(_buffer, 0, wanted), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default);
            int read = await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pending = null;
            int n = Math.Min(read, buffer.Length);
            _buffer.AsSpan(0, n).CopyTo(buffer.Span);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
