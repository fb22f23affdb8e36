namespace ManagedRsync.Cli.Commands;

internal static class RsyncCommand
{
    public static int Run(string[] args) => RunAsync(args, CliContext.FromConsole()).GetAwaiter().GetResult();

    public static Task<int> RunAsync(string[] args, CliContext context)
    {
        context.Error.WriteLine("mrsync: RsyncCommand is not implemented yet");
        return Task.FromResult((int)RsyncExitCode.Unsupported);
    }
}
