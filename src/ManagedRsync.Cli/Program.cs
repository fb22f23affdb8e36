namespace ManagedRsync.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("mrsync: not implemented yet");
        return (int)RsyncExitCode.Syntax;
    }
}
