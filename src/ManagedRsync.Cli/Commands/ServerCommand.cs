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
        // main.c: "--server --daemon ." is a daemon over the remote shell (daemon_main on stdin/stdout).
        if (args.Contains("--daemon"))
            return DaemonCommand.Run(args);
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
        catch (Exception e) when (RsyncException.IsFault(e))
        {
            RsyncException fault = RsyncException.Internal(e);
            Console.Error.WriteLine("rsync: " + fault.Message);
            return (int)fault.ExitCode;
        }
    }

    /// <summary>Serves the client on <paramref name="input"/>/<paramref name="output"/>; returns the exit code.</summary>
    public static async Task<RsyncExitCode> RunAsync(IReadOnlyList<string> args, Stream input, Stream output, CancellationToken ct)
    {
        List<string> argv = [.. args];
        int letters = ServerArgumentParser.SecludedLetters(argv);
        if (letters >= 0)
        {
            // The client ended its command line after the letters; the rest replaces it (a new arg 0, then the words).
            List<string> secluded = await ReadSecludedAsync(input, ct).ConfigureAwait(false);
            argv = ServerArgumentParser.WithSecluded(argv, letters, secluded);
        }
        var settings = new ServerSettings { Root = Environment.CurrentDirectory };
        // options.c: parse_arguments — a malformed -M--filter rule or a merge file that cannot be opened ends the server
        // while it reads its options, before any protocol byte: its words go to stderr, and the client sees the
        // connection close (exit 12).
        ServerRequest parsed = ServerArgumentParser.Parse(argv, out _);
        if (parsed.FilterRules.Count > 0 && VectorMergeFiles.FirstFailure(parsed.FilterRules, settings, moduleDirectory: null, "server") is var (line, failed))
        {
            await Console.Error.WriteLineAsync(line).ConfigureAwait(false);
            // log.c: log_exit's words, without stock's source line ("at exclude.c(1719) [server=3.5.0]").
            await Console.Error.WriteLineAsync($"rsync error: {RsyncExitCodes.Describe(failed)} (code {(int)failed})").ConfigureAwait(false);
            return failed;
        }
        return await RsyncServer.RunAsync(input, output, argv, settings, ct).ConfigureAwait(false);
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
}
