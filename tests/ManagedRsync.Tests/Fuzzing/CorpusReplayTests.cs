using ManagedRsync.Fuzz;

namespace ManagedRsync.Tests.Fuzzing;

/// <summary>
/// Replays the committed fuzz corpus (tests/ManagedRsync.Fuzz/corpus: seeds captured from stock rsync, and every crash
/// AFL found, kept as a regression) through the same targets AFL runs. Each input must end in a result or in a
/// <see cref="RsyncException"/>; anything else is a decoder bug that came back.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Keys];

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryCorpusInputEndsInAResultOrARefusal(string target)
    {
        string[] inputs = Directory.Exists(Path.Combine(Corpus, target)) ? Directory.GetFiles(Path.Combine(Corpus, target)) : [];
        // A target without seeds would pass here by replaying nothing.
        Assert.True(inputs.Length >= 3, $"corpus/{target} has {inputs.Length} inputs; seed_corpus.py writes at least 3");
        var failures = new List<string>();
        foreach (string input in inputs)
        {
            try
            {
                FuzzTargets.All[target](File.ReadAllBytes(input));
            }
            catch (Exception e)
            {
                failures.Add($"{Path.GetFileName(input)}: {e.GetType().Name}: {e.Message}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public void EveryCorpusFolderIsATarget()
    {
        var folders = Directory.GetDirectories(Corpus).Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(FuzzTargets.All.Keys.Order(), folders);
    }
}
