using ManagedRsync.Client;

namespace ManagedRsync.Cli;

/// <summary>
/// The daemon password for a command line: <see cref="DaemonPassword.Resolve"/> with the context's stdin and
/// environment, and a prompt on the terminal (stderr, no echo) only when stdin is one, as rsync prompts.
/// </summary>
internal static class PasswordPrompt
{
    /// <summary>The password, resolved when the daemon asks for one (never before, as rsync).</summary>
    /// <exception cref="RsyncException">A password-file problem: exit 1 with rsync's message.</exception>
    public static string? Get(string? passwordFile, CliContext context) =>
        DaemonPassword.Resolve(passwordFile, context.In, context.GetEnvironmentVariable,
            context.StdinIsTerminal ? () => Read(context) : null);

    public static string? Read(CliContext context)
    {
        context.Error.Write("Password: ");
        var password = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                context.Error.WriteLine();
                return password.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
            }
            else if (key.KeyChar != '\0')
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
