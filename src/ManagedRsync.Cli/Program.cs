using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        int status = Run(args);
        Output.MemoryReport.WriteIfAsked();
        return status;
    }

    private static int Run(string[] args)
    {
        // mrsync is a drop-in for rsync command lines; the few subcommands of its own are words rsync would take
        // as a local path, so they are only recognised as the very first argument.
        if (DaemonCommand.Wants(args))
            return DaemonCommand.Run(args);
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "signature":
                case "delta":
                case "patch":
                    return DeltaCommands.Run(args[0], args.AsSpan(1));
                case "watch":
                    return WatchCommand.Run(args.AsSpan(1));
                case "inotifywait":
                    return InotifywaitCommand.Run(args.AsSpan(1));
                case "doctor":
                    return DoctorCommand.Run(args.AsSpan(1));
                // A client started us over a remote shell (rsync --rsync-path=mrsync): its server_options always begin
                // with --server (options.c: "This should always remain first on the server's command-line").
                case "--server":
                    return ServerCommand.Run(args);
            }
        }
        return RsyncCommand.Run(args);
    }
}
