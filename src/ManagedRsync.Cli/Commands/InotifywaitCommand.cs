using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using ManagedRsync.Platform;
using ManagedRsync.Watch;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// `mrsync inotifywait`: inotifywait(1) from inotify-tools, with the options the inotifywait+rsync scripts use
/// (-m -r -q -d -o -s -e --exclude --excludei --include --includei --timefmt --format --no-newline -c -t @file
/// --fromfile -P) and the same output lines. Differences: -d does not fork (run it under systemd or with &amp;);
/// symlinks are never followed (as with -P); only directories can be watched. Beyond inotifywait:
/// --backend auto|fanotify|inotify (default inotify, as inotifywait) reads fanotify instead, which needs no watch per
/// directory; unless -q, a line on stderr says which backend each tree got and why not fanotify.
/// </summary>
internal static class InotifywaitCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        using var stop = new CancellationTokenSource();
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using PosixSignalRegistration intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using Stream stdout = Console.OpenStandardOutput();
        return Run(args.ToArray(), stdout, Console.Error, stop.Token);
    }

    /// <summary>Runs in-process; <paramref name="onReady"/> is called once the watches are established.</summary>
    internal static int Run(string[] args, Stream stdout, TextWriter stderr, CancellationToken stop, Action? onReady = null)
    {
        Options o;
        try
        {
            o = Parse(args);
        }
        catch (UsageException ex)
        {
            stderr.WriteLine(ex.Message);
            return 1;
        }
        if (o.Help)
        {
            stderr.Write(Help);
            return 0;
        }
        if (o.Paths.Count == 0)
        {
            stderr.WriteLine("No files specified to watch!");
            return 1;
        }
        Action<string> error = o.Syslog ? Syslog.Error : stderr.WriteLine;
        Stream output = stdout;
        FileStream? outFile = null;
        if (o.OutFile is { } path)
            output = outFile = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        else if (o.Daemon)
        {
            stderr.WriteLine("-d requires --outfile to be set.");
            return 1;
        }
        var watchers = new List<TreeWatcher>();
        try
        {
            if (o.Quiet == 0)
                stderr.WriteLine(o.Recursive ? "Setting up watches.  Beware: since -r was given, this may take a while!" : "Setting up watches.");
            var format = new InotifywaitFormat
            {
                Events = o.Events == InotifyMask.None ? InotifyMask.IN_ALL_EVENTS : o.Events,
                Format = o.Format,
                TimeFormat = o.TimeFormat,
                Csv = o.Csv,
                NoNewline = o.NoNewline,
                Exclude = o.Exclude,
                Include = o.Include,
            };
            var outputLock = new Lock();
            var first = new ManualResetEventSlim();
            var printers = new List<InotifywaitPrinter>();
            foreach (string root in o.Paths)
            {
                var printer = new InotifywaitPrinter(root, format, o.Quiet >= 2 ? Stream.Null : output, outputLock, error);
                printer.EventPrinted += first.Set;
                printers.Add(printer);
                string prefix = root.EndsWith('/') ? root : root + "/";
                var watcher = new TreeWatcher(root, new TreeWatcherOptions
                {
                    Events = format.Events,
                    Recursive = o.Recursive,
                    ReportChanges = false,
                    ListBeforeWatch = true,
                    Exclude = (p, isDir) => isDir && IsExcludedDirectory(o, prefix, p),
                    Backend = o.Backend,
                }, printer);
                try
                {
                    watcher.Start();
                    if (o.Quiet == 0 && o.Backend != WatchBackend.Inotify)
                    {
                        stderr.WriteLine(watcher.FallbackReason is { } why
                            ? $"Using inotify for {root}, not fanotify: {why}"
                            : $"Using {watcher.Describe()} for {root}.");
                    }
                }
                catch (RsyncException ex)
                {
                    error($"Couldn't watch {root}: {ex.Message}");
                    watcher.Dispose();
                    return 1;
                }
                watchers.Add(watcher);
            }
            if (o.Quiet == 0)
                stderr.WriteLine("Watches established.");
            onReady?.Invoke();
            var handles = new List<WaitHandle> { stop.WaitHandle };
            if (!o.Monitor)
                handles.Add(first.WaitHandle);
            int timeout = o.TimeoutSeconds > 0 ? o.TimeoutSeconds * 1000 : Timeout.Infinite;
            int which = WaitHandle.WaitAny([.. handles], timeout);
            return which == WaitHandle.WaitTimeout && printers.All(p => p.Printed == 0) ? 2 : 0;
        }
        finally
        {
            foreach (TreeWatcher w in watchers)
                w.Dispose();
            output.Flush();
            outFile?.Dispose();
        }
    }

    private static bool IsExcludedDirectory(Options o, string prefix, RawPath path)
    {
        string full = prefix + path.ToString();
        if (o.ExcludePaths.Contains(full.TrimEnd('/')))
            return true;
        return o.Exclude?.IsMatch(full) == true;
    }

    private sealed class Options
    {
        public bool Monitor, Daemon, Recursive, Syslog, Csv, NoNewline, Help;
        public int Quiet;
        public int TimeoutSeconds;
        public string? OutFile, Format, TimeFormat;
        public InotifyMask Events;
        public WatchBackend Backend = WatchBackend.Inotify;
        public Regex? Exclude, Include;
        public List<string> Paths = [];
        public HashSet<string> ExcludePaths = new(StringComparer.Ordinal);
    }

    private sealed class UsageException(string message) : Exception(message);

    private static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string a = LongOption.Split(args[i], out string? inlineValue);
            string Value(string name) => inlineValue ?? (++i < args.Length ? args[i] : throw new UsageException($"option '{name}' requires an argument"));
            switch (a)
            {
                case "-h" or "--help": o.Help = true; break;
                case "-m" or "--monitor": o.Monitor = true; break;
                case "-d" or "--daemon": o.Daemon = o.Monitor = o.Syslog = true; break;
                case "-r" or "--recursive": o.Recursive = true; break;
                case "-P" or "--no-dereference": break; // symlinks are never followed anyway
                case "-q" or "--quiet": o.Quiet++; break;
                case "-s" or "--syslog": o.Syslog = true; break;
                case "-c" or "--csv": o.Csv = true; break;
                case "--no-newline": o.NoNewline = true; break;
                case "-o" or "--outfile": o.OutFile = Value(a); break;
                case "--format": o.Format = Value(a); break;
                case "--timefmt": o.TimeFormat = Value(a); break;
                case "--backend":
                    string b = Value(a);
                    if (!WatchConfig.TryParseBackend(b, out o.Backend))
                        throw new UsageException($"--backend must be auto, fanotify or inotify, not '{b}'");
                    break;
                case "-t" or "--timeout":
                    string t = Value(a);
                    if (!int.TryParse(t, out o.TimeoutSeconds) || o.TimeoutSeconds < 0)
                        throw new UsageException($"'{t}' is not a valid timeout value.");
                    break;
                case "-e" or "--event":
                    foreach (string word in Value(a).Split(',', StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (!InotifyEventNames.TryParse(word, out InotifyMask m))
                            throw new UsageException($"'{word}' is not a valid event!  Run with the '--help' option to see a list of events.");
                        o.Events |= m;
                    }
                    break;
                // inotifywait keeps only the last --exclude (inotifywait --help).
                case "--exclude": o.Exclude = Compile(Value(a), RegexOptions.None); break;
                case "--excludei": o.Exclude = Compile(Value(a), RegexOptions.IgnoreCase); break;
                case "--include": o.Include = Compile(Value(a), RegexOptions.None); break;
                case "--includei": o.Include = Compile(Value(a), RegexOptions.IgnoreCase); break;
                case "--fromfile":
                    string list = Value(a);
                    foreach (string line in list == "-" ? ReadLines(Console.In) : File.ReadAllLines(list))
                        AddPath(o, line);
                    break;
                default:
                    if (a.Length > 1 && a[0] == '-' && a[1] != '-' && a.Skip(1).All(c => "mdrPqsch".Contains(c, StringComparison.Ordinal)))
                    {
                        // Bundled short flags: -mrq.
                        foreach (char c in a.AsSpan(1))
                            _ = Apply(o, c);
                    }
                    else if (a.StartsWith('-') && a != "-")
                        throw new UsageException($"inotifywait: unrecognized option '{a}'");
                    else
                        AddPath(o, a);
                    break;
            }
        }
        return o;
    }

    private static bool Apply(Options o, char c)
    {
        switch (c)
        {
            case 'm': o.Monitor = true; break;
            case 'd': o.Daemon = o.Monitor = o.Syslog = true; break;
            case 'r': o.Recursive = true; break;
            case 'q': o.Quiet++; break;
            case 's': o.Syslog = true; break;
            case 'c': o.Csv = true; break;
            case 'h': o.Help = true; break;
        }
        return true;
    }

    private static void AddPath(Options o, string arg)
    {
        if (arg.Length == 0)
            return;
        if (arg[0] == '@')
            o.ExcludePaths.Add(arg[1..].TrimEnd('/'));
        else
            o.Paths.Add(arg);
    }

    private static IEnumerable<string> ReadLines(TextReader r)
    {
        while (r.ReadLine() is { } line)
            yield return line;
    }

    private static Regex Compile(string pattern, RegexOptions options)
    {
        try
        {
            return new Regex(pattern, options | RegexOptions.CultureInvariant);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"Regex error: {ex.Message}");
        }
    }

    /// <summary>syslog(3) without libc's varargs: one datagram to /dev/log; stderr when there is no syslog daemon.</summary>
    private static class Syslog
    {
        public static void Error(string message)
        {
            try
            {
                using var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
                s.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint("/dev/log"));
                // <11> = facility user (1) * 8 + severity err (3).
                s.Send(Encoding.UTF8.GetBytes($"<11>inotifywait[{Environment.ProcessId}]: {message}"));
            }
            catch (System.Net.Sockets.SocketException)
            {
                Console.Error.WriteLine(message);
            }
        }
    }

    private const string Help = """
        mrsync inotifywait: inotifywait(1) built into mrsync.
        Wait for a particular event on a file or set of files.
        Usage: mrsync inotifywait [ options ] dir1 [ dir2 ] [ ... ]
        Options:
        	-h|--help     	Show this help text.
        	@<file>       	Exclude the specified file from being watched.
        	--exclude <pattern>  Exclude events on files matching the extended regular expression <pattern>.
        	--excludei <pattern> Like --exclude but case insensitive.
        	--include <pattern>  Exclude events on files except the ones matching <pattern>.
        	--includei <pattern> Like --include but case insensitive.
        	-m|--monitor  	Keep listening for events forever or until --timeout expires.
        	-d|--daemon   	Same as --monitor, logging events to --outfile (does not fork).
        	-P|--no-dereference  Do not follow symlinks (always the case).
        	-r|--recursive	Watch directories recursively.
        	--fromfile <file>	Read files to watch from <file> or `-' for stdin.
        	-o|--outfile <file>	Print events to <file> rather than stdout.
        	-s|--syslog   	Send errors to syslog rather than stderr.
        	-q|--quiet    	Print less (only print events).
        	-qq           	Print nothing (not even events).
        	--format <fmt>	Print using a specified printf-like format string (%w %f %e %Xe %T %0 %n).
        	--no-newline  	Don't print newline symbol after --format string.
        	--timefmt <fmt>	strftime-compatible format string for use with %T in --format string.
        	-c|--csv      	Print events in CSV format.
        	-t|--timeout <seconds>	When listening for a single event, time out after <seconds> seconds.
        	-e|--event <event1> [ -e|--event <event2> ... ]	Listen for specific event(s).
        	--backend auto|fanotify|inotify	Event source (mrsync only; default inotify). fanotify: one mark for the
        	              	whole file system, as root; auto: fanotify when possible, saying why not.
        Events: access modify attrib close_write close_nowrite close open moved_to moved_from move move_self create
        	delete delete_self unmount
        Exit status: 0 an event was received; 1 an error occurred; 2 --timeout expired without events.

        """;
}
