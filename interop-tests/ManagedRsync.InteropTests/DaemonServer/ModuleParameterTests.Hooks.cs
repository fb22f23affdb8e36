using System.Text.RegularExpressions;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.DaemonServer;

// "early exec" and "name converter" (clientserver.c: rsync_module, start_pre_exec, write_pre_exec_args; uidlist.c
// through namecvt_call), side by side with stock's daemon serving the same modules.
public sealed partial class ModuleParameterTests
{
    [Fact]
    public async Task Early_exec_gets_the_early_input_and_the_variables_stock_gives_it()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x");
        string input = Path.Combine(_work, "early-input");
        File.WriteAllBytes(input, "EARLY\nPAYLOAD\0bytes"u8.ToArray());

        var withInput = await BothAsync(d => ["-r", $"--early-input={input}", src + "/", $"{d.Url}{ParameterModules.Early}/{_id}/"]);
        AssertSame(withInput);
        Assert.Equal(0, withInput.Ours.ExitCode);
        string seen = EarlyOutput(ours);
        Assert.Equal(EarlyOutput(stock), seen);
        Assert.Contains("RSYNC_REQUEST=(NONE)\n", seen);
        Assert.DoesNotContain("RSYNC_ARG", seen);
        Assert.EndsWith("stdin:\nEARLY\nPAYLOAD\0bytes", seen);

        var withoutInput = await BothAsync(d => ["-r", src + "/", $"{d.Url}{ParameterModules.Early}/{_id}/"]);
        AssertSame(withoutInput);
        string empty = EarlyOutput(ours);
        Assert.Equal(EarlyOutput(stock), empty);
        Assert.EndsWith("stdin:\n", empty);
    }

    [Fact]
    public async Task A_failing_early_exec_ends_the_connection_before_the_transfer_as_stock_does()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "f"), "x");
        foreach (RsyncDaemonFixture d in Both)
            File.WriteAllText(Path.Combine(d.ModulePath(ParameterModules.Early), "refuse"), "");
        try
        {
            int mark = ours.LogMark();
            var r = await BothAsync(d => ["-r", src + "/", $"{d.Url}{ParameterModules.Early}/{_id}/"]);
            AssertSame(r);
            Assert.Equal(5, r.Ours.ExitCode);
            Assert.Contains("@ERROR: early exec failed", r.Ours.Stderr);
            Assert.Contains("early exec failed", ours.DaemonLogSince(mark));
            Assert.False(Directory.Exists(Module(ours, ParameterModules.Early)));
        }
        finally
        {
            foreach (RsyncDaemonFixture d in Both)
                File.Delete(Path.Combine(d.ModulePath(ParameterModules.Early), "refuse"));
        }
    }

    [Fact]
    public async Task The_name_converter_maps_a_pushed_tree_as_stock_has_it_mapped()
    {
        string src = Path.Combine(_work, "src");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "f"), "x");
        File.WriteAllText(Path.Combine(src, "sub", "g"), "y");
        bool root = Environment.UserName == "root";
        if (root)
        {
            // A named owner (the sender sends its name) and a nameless one (no request for it).
            File.SetUnixFileMode(src, (UnixFileMode)Convert.ToInt32("755", 8));
            await ChownAsync("65534:65534", Path.Combine(src, "f"));
            await ChownAsync("54321:54321", Path.Combine(src, "sub", "g"));
        }
        ClearConverterFiles();
        var push = await BothAsync(d => ["-rog", src + "/", $"{d.Url}{ParameterModules.Converter}/{_id}/"]);
        AssertSame(push);
        Assert.Equal(0, push.Ours.ExitCode);
        string requests = await ConverterFileAsync(ours, "conv-req");
        Assert.Equal(await ConverterFileAsync(stock, "conv-req"), requests);
        Assert.Equal(await ConverterFileAsync(stock, "conv-env"), await ConverterFileAsync(ours, "conv-env"));
        Assert.Contains("RSYNC_ARG0=rsyncd", await ConverterFileAsync(ours, "conv-env"));
        if (root)
        {
            Assert.Contains("usr nobody", requests);
            foreach (string name in (string[])["f", "sub/g"])
            {
                Assert.Equal(await OwnerAsync(Path.Combine(Module(stock, ParameterModules.Converter), name)),
                    await OwnerAsync(Path.Combine(Module(ours, ParameterModules.Converter), name)));
            }
            Assert.StartsWith("4343:", await OwnerAsync(Path.Combine(Module(ours, ParameterModules.Converter), "f")));
        }

        // A pull: the sending daemon asks for the names of the ids it lists.
        ClearConverterFiles();
        foreach (RsyncDaemonFixture d in Both)
            Directory.CreateDirectory(Local(d));
        var pull = await BothAsync(d => ["-rog", $"{d.Url}{ParameterModules.Converter}/{_id}/", Local(d) + "/"]);
        AssertSame(pull);
        Assert.Equal(await ConverterFileAsync(stock, "conv-req"), await ConverterFileAsync(ours, "conv-req"));
    }

    private void ClearConverterFiles()
    {
        foreach (RsyncDaemonFixture d in Both)
        {
            foreach (string name in (string[])["conv-req", "conv-env"])
                File.Delete(Path.Combine(d.Root, $"{name}.{ParameterModules.Converter}"));
        }
    }

    // What the converter wrote, its lines sorted (each id and name is asked about once, in an order that follows the
    // list), the daemons' own directories and pids masked. The file is written while the connection ends: awaited.
    private static async Task<string> ConverterFileAsync(RsyncDaemonFixture d, string which)
    {
        string path = Path.Combine(d.Root, $"{which}.{ParameterModules.Converter}");
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(path) && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        string text = File.Exists(path) ? File.ReadAllText(path) : "";
        text = Regex.Replace(text.Replace(d.Root, "ROOT", StringComparison.Ordinal), @"^RSYNC_PID=\d+$", "RSYNC_PID=N", RegexOptions.Multiline);
        return string.Join('\n', text.Split('\n').Where(l => l.Length > 0).Distinct().Order(StringComparer.Ordinal));
    }

    private string EarlyOutput(RsyncDaemonFixture d)
    {
        string path = Path.Combine(d.Root, $"early.{ParameterModules.Early}");
        string text = File.ReadAllText(path).Replace(d.Root, "ROOT", StringComparison.Ordinal);
        File.Delete(path);
        return Regex.Replace(text, @"^RSYNC_PID=\d+$", "RSYNC_PID=N", RegexOptions.Multiline);
    }

    private static async Task ChownAsync(string owner, string path)
    {
        ProcessResult r = await ToolProcess.RunAsync("chown", ["-h", owner, path]);
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    private static async Task<string> OwnerAsync(string path)
    {
        ProcessResult r = await ToolProcess.RunAsync("stat", ["-c", "%u:%g", path]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }
}
