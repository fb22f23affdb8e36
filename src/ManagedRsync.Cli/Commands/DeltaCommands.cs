namespace ManagedRsync.Cli.Commands;

internal static class DeltaCommands
{
    public static int Run(string command, ReadOnlySpan<string> args)
    {
        Console.Error.WriteLine("mrsync: DeltaCommands is not implemented yet");
        return (int)RsyncExitCode.Unsupported;
    }
}
