namespace ManagedRsync.Cli.Commands;

internal static class RsyncCommand
{
    public static int Run(string[] args)
    {
        Console.Error.WriteLine("mrsync: RsyncCommand is not implemented yet");
        return (int)RsyncExitCode.Unsupported;
    }
}
