namespace ManagedRsync.Cli.Commands;

internal static class WatchCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        Console.Error.WriteLine("mrsync: WatchCommand is not implemented yet");
        return (int)RsyncExitCode.Unsupported;
    }
}
