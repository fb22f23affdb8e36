using ManagedRsync.Fuzz;
using SharpFuzz;

// usage: ManagedRsync.Fuzz TARGET            run under afl-fuzz (input on stdin, SharpFuzz's forkserver protocol)
//        ManagedRsync.Fuzz TARGET FILE...    run each file once and say which ones fail (crash triage)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: ManagedRsync.Fuzz TARGET [FILE...]; targets: {string.Join(' ', FuzzTargets.All.Keys)}");
    return 2;
}

if (args.Length == 1)
{
    Fuzzer.OutOfProcess.Run(stream =>
    {
        var input = new MemoryStream();
        stream.CopyTo(input);
        target(input.ToArray());
    });
    return 0;
}

int failed = 0;
foreach (string file in args.Skip(1))
{
    try
    {
        target(File.ReadAllBytes(file));
    }
    catch (Exception e)
    {
        failed++;
        Console.WriteLine($"{file}: {e.GetType().Name}: {e.Message}");
    }
}
return failed == 0 ? 0 : 1;
