using ManagedRsync.Cli.Commands;

namespace ManagedRsync.Cli;

internal static class Program
{
    private static int Main(string[] args)
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
            }
        }
        return RsyncCommand.Run(args);
    }
}
