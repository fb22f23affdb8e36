namespace ManagedRsync.Cli.Commands;

internal static class DoctorCommand
{
    public static int Run(ReadOnlySpan<string> args)
    {
        Console.Error.WriteLine("mrsync: DoctorCommand is not implemented yet");
        return (int)RsyncExitCode.Unsupported;
    }
}
