using System.Globalization;
using System.Text;

namespace ManagedRsync.Cli.Output;

/// <summary>
/// A diagnostic for memory work (issue 16), not an rsync feature: with MRSYNC_MEMORY_REPORT set in the environment,
/// the process writes one block to stderr as it ends — the managed heap as the last collection left it
/// (GC.GetGCMemoryInfo: heap size, committed, fragmentation, each generation's size), the collections, what was
/// allocated, and the kernel's view (/proc/self/status: VmHWM, RssAnon, RssFile). Where the peak is (heap, native,
/// the binary's own pages) is what the figures in benchmarks/RESULTS.md were read from.
/// </summary>
internal static class MemoryReport
{
    public const string Variable = "MRSYNC_MEMORY_REPORT";

    public static void WriteIfAsked()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
            return;
        try
        {
            Console.Error.Write(Build());
        }
        catch (IOException)
        {
            // stderr gone: a diagnostic has nothing to add.
        }
    }

    private static string Build()
    {
        var text = new StringBuilder();
        CultureInfo c = CultureInfo.InvariantCulture;
        GCMemoryInfo any = GC.GetGCMemoryInfo(GCKind.Any);
        text.Append(c, $"mrsync memory: collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} (gen0/1/2)");
        text.Append(c, $", allocated {GC.GetTotalAllocatedBytes(precise: false)}, pause {GC.GetTotalPauseDuration().TotalMilliseconds:0.0} ms\n");
        text.Append(c, $"mrsync memory: last GC #{any.Index} gen{any.Generation}: heap {any.HeapSizeBytes}, committed {any.TotalCommittedBytes}");
        text.Append(c, $", fragmented {any.FragmentedBytes}, promoted {any.PromotedBytes}, in use now {GC.GetTotalMemory(false)}\n");
        ReadOnlySpan<GCGenerationInfo> generations = any.GenerationInfo;
        text.Append("mrsync memory: after it, size by generation (0, 1, 2, LOH, POH):");
        foreach (GCGenerationInfo g in generations)
            text.Append(c, $" {g.SizeAfterBytes}");
        text.Append('\n');
        GCMemoryInfo full = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        if (full.Index > 0)
            text.Append(c, $"mrsync memory: last full GC #{full.Index}: heap {full.HeapSizeBytes}, committed {full.TotalCommittedBytes}\n");
        try
        {
            string[] wanted = ["VmHWM:", "VmRSS:", "RssAnon:", "RssFile:", "Threads:"];
            text.Append("mrsync memory:");
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (Array.Exists(wanted, w => line.StartsWith(w, StringComparison.Ordinal)))
                    text.Append(' ').Append(string.Join(' ', line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries)));
            }
            text.Append('\n');
        }
        catch (IOException)
        {
            text.Append("mrsync memory: /proc/self/status unreadable\n");
        }
        return text.ToString();
    }
}
