using System.Diagnostics;
using System.Text;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>Runs the stock rsync client locally for the filter tests; fails the test with the reason when rsync is missing.</summary>
internal static class StockRsyncRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(string workingDirectory, IEnumerable<string> args,
        IDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("rsync")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
            psi.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (KeyValuePair<string, string> kv in environment)
                psi.Environment[kv.Key] = kv.Value;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("rsync did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"stock rsync is not installed or not on PATH (apt-get install -y rsync): {e.Message}");
            throw;
        }
        using (process)
        {
            process.StandardInput.Close();
            Task<string> stdout = process.StandardOutput.ReadToEndAsync();
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("stock rsync did not finish within 60 s: " + string.Join(' ', psi.ArgumentList));
            }
            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    /// <summary>A fresh temporary directory, deleted by the caller.</summary>
    public static string CreateTempDirectory(string tag)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mrsync-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Creates the files (and their directories) named relative to <paramref name="root"/>; names ending in '/' are directories.</summary>
    public static void CreateTree(string root, IEnumerable<string> names)
    {
        foreach (string name in names)
        {
            string full = Path.Combine(root, name);
            if (name.EndsWith('/'))
            {
                Directory.CreateDirectory(full);
                continue;
            }
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, name, Encoding.UTF8);
        }
    }

    /// <summary>The names rsync's --out-format=%n printed, without the root "./" and without directories' trailing '/'.</summary>
    public static SortedSet<string> ListedNames(string stdout) =>
        new(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l != "./")
            .Select(l => l.EndsWith('/') ? l[..^1] : l), StringComparer.Ordinal);
}
