namespace ManagedRsync.Cli;

/// <summary>
/// The command line's edge: the library reports what failed (<see cref="RsyncErrorKind"/>) and how a finished run went
/// (<see cref="TransferOutcome"/>); mrsync exits with the code stock rsync uses for each (<see cref="RsyncExitCodes"/>,
/// the table a server also sends its client).
/// </summary>
internal static class ExitCodes
{
    extension(RsyncException e)
    {
        /// <summary>The exit code stock rsync uses for this failure.</summary>
        public RsyncExitCode ExitCode => RsyncExitCodes.For(e);
    }

    extension(TransferResult result)
    {
        /// <summary>The exit code stock rsync uses for this run.</summary>
        public RsyncExitCode ExitCode => RsyncExitCodes.For(result);
    }
}
