using System.Buffers.Binary;
using System.Text;
using ManagedRsync.Filters;
using ManagedRsync.InteropTests.Fixtures;

namespace ManagedRsync.InteropTests.Filters;

/// <summary>
/// What the client sends, against stock rsync's own client: rsync runs with an -e "remote shell" script that starts the
/// server side locally and tees everything the client writes to it into a file. The filter list our
/// <see cref="FilterList.GetWireRules"/> produces, framed as rsync frames it (int32 length + bytes per rule, int32 0 at the
/// end), must appear in that capture byte for byte; when we say nothing is sent, no rule text may appear; when we refuse
/// a rule as too modern, stock rsync must refuse it too (exit 2).
/// </summary>
public class WireRulesCaptureTests
{
    private const string TeeShell = "#!/bin/bash\n# argv: host, then the server command\nshift\nexec \"$@\" < <(tee \"$CAPTURE\")\n";

    public static TheoryData<string, int, bool, bool> Cases()
    {
        var data = new TheoryData<string, int, bool, bool>();
        string[] ruleSets =
        [
            "--exclude=*.o|--include=+ dir/|--exclude=- x|-f|P keep|-f|-p per",
            "--exclude=*.o|--include=keep/|--exclude=- - dash|-f|H hidden",
            "-f|exclude,/ /abs|-f|-! neg/|-f|:n- .excl|-f|risk r|-f|show s",
            "--delete-excluded|--exclude=*.o|-f|P kept",
            "-C",
            "-F|-F",
            "--exclude=x|--delete-excluded|--exclude=y|-f|-sr both",
        ];
        foreach (string rules in ruleSets)
        {
            foreach (int protocol in new[] { 32, 30, 29, 28, 27 })
            {
                data.Add(rules, protocol, true, true);   // push --delete
                data.Add(rules, protocol, false, false); // pull
            }
            data.Add(rules, 32, true, false);            // push without --delete
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task OurRuleListIsWhatStockRsyncsClientSends(string ruleSet, int protocol, bool push, bool delete)
    {
        string dir = StockRsyncRunner.CreateTempDirectory("wire");
        try
        {
            string src = Path.Combine(dir, "src"), dst = Path.Combine(dir, "dst");
            StockRsyncRunner.CreateTree(src, ["f"]);
            StockRsyncRunner.CreateTree(dst, ["g"]);
            string shell = Path.Combine(dir, "tee-shell.sh");
            File.WriteAllText(shell, TeeShell);
            File.SetUnixFileMode(shell, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            string capture = Path.Combine(dir, "to-server.bin");

            string[] rules = ruleSet.Split('|');
            var args = new List<string> { "-r", "-n", "--protocol=" + protocol, "-e", shell };
            if (delete)
                args.Add("--delete");
            args.AddRange(rules);
            args.AddRange(push ? [src + "/", "localhost:" + dst + "/"] : ["localhost:" + src + "/", dst + "/"]);
            var env = new Dictionary<string, string?> { ["CAPTURE"] = capture, ["HOME"] = dir, ["CVSIGNORE"] = "" };
            ProcessResult rsync = await StockRsyncRunner.RunAsync(args, env);

            FilterList list = RuleSetSelectionTests.BuildFromArgs(rules, dir);
            IReadOnlyList<byte[]>? ours;
            try
            {
                ours = list.GetWireRules(protocol, localIsSender: push, deleteMode: delete);
            }
            catch (RsyncException e) when (e.ExitCode == RsyncExitCode.Protocol)
            {
                Assert.True(rsync.ExitCode == 2 && rsync.Stderr.Contains(e.Message, StringComparison.Ordinal),
                    "we refused the rules as too modern but stock rsync did not:\n" + rsync);
                return;
            }
            Assert.True(rsync.ExitCode == 0, rsync.ToString());
            byte[] sent = File.ReadAllBytes(capture);

            if (ours is null)
            {
                foreach (string rule in rules.Where(r => !r.StartsWith('-')))
                    Assert.DoesNotContain(Encoding.UTF8.GetString(sent), rule, StringComparison.Ordinal);
                return;
            }
            byte[] framed = Frame(ours);
            Assert.True(sent.AsSpan().IndexOf(framed) >= 0,
                $"our list [{string.Join(", ", ours.Select(r => Encoding.UTF8.GetString(r)))}] is not in what stock rsync sent:\n"
                + Convert.ToHexString(sent));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Frame(IReadOnlyList<byte[]> rules)
    {
        var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (byte[] rule in rules)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, rule.Length);
            buffer.Write(length);
            buffer.Write(rule);
        }
        BinaryPrimitives.WriteInt32LittleEndian(length, 0);
        buffer.Write(length);
        return buffer.ToArray();
    }
}
