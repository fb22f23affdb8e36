using System.Globalization;
using ManagedRsync.Checksums;
using ManagedRsync.Delta;

namespace ManagedRsync.Cli.Commands;

/// <summary>
/// rdiff-style commands over <see cref="DeltaEngine"/>:
/// <c>mrsync signature [--block-size N] [--checksum NAME] [--strong-length N] BASIS SIG</c>,
/// <c>mrsync delta SIG NEWFILE DELTA</c>, <c>mrsync patch BASIS DELTA OUT</c>; <c>-</c> is stdin or stdout
/// (except for the patch basis, which is read out of order).
/// </summary>
internal static class DeltaCommands
{
    private const string UsageText =
        "usage: mrsync signature [--block-size N] [--checksum xxh128|xxh3|xxh64|md5|md4|sha1] [--strong-length N] BASIS SIG\n" +
        "       mrsync delta SIG NEWFILE DELTA\n" +
        "       mrsync patch BASIS DELTA OUT\n" +
        "('-' reads stdin or writes stdout; the patch basis must be a file)";

    public static int Run(string command, ReadOnlySpan<string> args) =>
        Run(CliContext.FromConsole(), command, args.ToArray());

    internal static int Run(CliContext context, string command, string[] args)
    {
        try
        {
            var (options, files) = Parse(args);
            switch (command)
            {
                case "signature" when files.Count == 2:
                {
                    using var basis = OpenInput(files[0]);
                    using var sig = OpenOutput(files[1]);
                    DeltaEngine.WriteSignature(basis, sig, options, context.Cancellation);
                    return 0;
                }
                case "delta" when files.Count == 3:
                {
                    Signature signature;
                    using (var sig = OpenInput(files[0]))
                        signature = DeltaEngine.ReadSignature(sig);
                    using var newFile = OpenInput(files[1]);
                    using var delta = OpenOutput(files[2]);
                    DeltaEngine.WriteDelta(signature, newFile, delta, options, context.Cancellation);
                    return 0;
                }
                case "patch" when files.Count == 3:
                {
                    if (files[0] == "-")
                        throw Usage("the patch basis must be a file: it is read out of order");
                    using var basis = OpenInput(files[0]);
                    using var delta = OpenInput(files[1]);
                    using var output = OpenOutput(files[2]);
                    DeltaEngine.ApplyDelta(basis, delta, output, options, context.Cancellation);
                    return 0;
                }
                default:
                    throw Usage($"{command} takes {(command == "signature" ? 2 : 3)} file arguments");
            }
        }
        catch (RsyncException e)
        {
            if (e.Kind == RsyncErrorKind.Usage)
                context.Error.WriteLine(UsageText);
            return ExitCodeText.Report(context, e);
        }
        catch (IOException e)
        {
            return ExitCodeText.Report(context, new RsyncException(RsyncErrorKind.FileIo, e.Message, e));
        }
        catch (UnauthorizedAccessException e)
        {
            return ExitCodeText.Report(context, new RsyncException(RsyncErrorKind.FileIo, e.Message, e));
        }
    }

    private static (DeltaOptions, List<string>) Parse(string[] args)
    {
        int blockLength = 0, strongLength = 0;
        var checksum = ChecksumKind.Xxh128;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? Value() => a.Contains('=') ? a[(a.IndexOf('=') + 1)..] : ++i < args.Length ? args[i] : throw Usage($"{a} needs a value");
            if (a.StartsWith("--block-size", StringComparison.Ordinal) || a == "-b")
                blockLength = PositiveInt(a, Value());
            else if (a.StartsWith("--strong-length", StringComparison.Ordinal) || a == "-S")
                strongLength = PositiveInt(a, Value());
            else if (a.StartsWith("--checksum", StringComparison.Ordinal) || a == "-c")
            {
                string name = Value()!;
                if (!ChecksumNames.TryParse(name, out checksum) || checksum == ChecksumKind.None)
                    throw Usage($"unknown checksum {name}");
            }
            else if (a.StartsWith('-') && a != "-")
                throw Usage($"unknown option {a}");
            else
                files.Add(a);
        }
        try
        {
            var options = new DeltaOptions { BlockLength = blockLength, Checksum = checksum, StrongLength = strongLength };
            options.Validate();
            return (options, files);
        }
        catch (ArgumentException e)
        {
            throw Usage(e.Message);
        }
    }

    private static int PositiveInt(string option, string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
            ? v
            : throw Usage($"{option} needs a positive number, not '{text}'");

    private static Stream OpenInput(string path) => path == "-"
        ? Console.OpenStandardInput()
        : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static Stream OpenOutput(string path) => path == "-"
        ? new BufferedStream(Console.OpenStandardOutput(), 1 << 16)
        : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    private static RsyncException Usage(string message) => new(RsyncErrorKind.Usage, message);
}
