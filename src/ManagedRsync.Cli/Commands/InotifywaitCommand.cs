namespace ManagedRsync.Cli.Commands;

internal static class InotifywaitCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        Console.Error.WriteLine("mrsync: InotifywaitCommand is not implemented yet");
        return (int)RsyncExitCode.Unsupported;
    }
}
