using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// The receiving side's paged list by index (protocol-notes §74): appends across pages, releases whole pages below an
/// index while what is still set in them (the directories) stays readable, and reads a cleared or released slot as
/// null, as the list it replaces did.
/// </summary>
public sealed class EntryTableTests
{
    private const int Page = EntryTable<string>.PageSize;

    private static EntryTable<string> Filled(int count)
    {
        var table = new EntryTable<string>();
        for (int i = 0; i < count; i++)
            table.Add($"e{i}");
        return table;
    }

    [Fact]
    public void EntriesAreFoundByIndexAcrossPages()
    {
        EntryTable<string> table = Filled(5 * Page + 3);
        Assert.Equal(5 * Page + 3, table.Count);
        Assert.Equal("e0", table[0]);
        Assert.Equal($"e{Page - 1}", table[Page - 1]);
        Assert.Equal($"e{Page}", table[Page]);
        Assert.Equal($"e{5 * Page + 2}", table[5 * Page + 2]);
        Assert.Equal(table.Count, table.Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => table[5 * Page + 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => table[-1]);
    }

    [Fact]
    public void ReleasingKeepsWhatIsStillSetAndDropsTheRest()
    {
        EntryTable<string> table = Filled(3 * Page);
        // The finished parts' files are cleared, their directories (here every 100th slot) stay.
        for (int i = 0; i < 2 * Page + 10; i++)
        {
            if (i % 100 != 0)
                table[i] = null!;
        }
        table.ReleaseBelow(2 * Page + 10);
        // Only whole pages go: the third page holds entries still in flight.
        Assert.Equal(2, table.ReleasedPages);
        Assert.Equal((2 * Page + 99) / 100, table.KeptCount);
        Assert.Equal("e0", table[0]);
        Assert.Equal("e1100", table[1100]);
        Assert.Null(table[1]);
        Assert.Null(table[Page + 1]);
        Assert.Equal($"e{2 * Page + 10}", table[2 * Page + 10]);
        Assert.Equal(3 * Page, table.Count);
        // A kept slot can still be set and cleared; appending goes on after the released pages.
        table[100] = "changed";
        Assert.Equal("changed", table[100]);
        table[100] = null!;
        Assert.Null(table[100]);
        table.Add("next");
        Assert.Equal("next", table[3 * Page]);
    }

    [Fact]
    public void ReleasingAgainOrPastTheEndIsHarmless()
    {
        EntryTable<string> table = Filled(Page + 5);
        table.ReleaseBelow(Page);
        table.ReleaseBelow(Page);
        table.ReleaseBelow(10 * Page);
        Assert.Equal(1, table.ReleasedPages);
        Assert.Equal(Page, table.KeptCount);
        Assert.Equal("e7", table[7]);
        Assert.Equal($"e{Page + 4}", table[Page + 4]);
    }

    [Fact]
    public async Task AReaderOnAnotherThreadSeesEveryPublishedEntry()
    {
        var table = new EntryTable<string>();
        const int total = 64 * Page;
        var reader = Task.Run(() =>
        {
            int seen = 0;
            while (seen < total)
            {
                int count = table.Count;
                for (; seen < count; seen++)
                {
                    // Directories (every 7th) stay readable after their page is released; the others may be gone.
                    string? value = table[seen];
                    if (seen % 7 == 0 && value != $"e{seen}")
                        return $"slot {seen} read {value ?? "null"}";
                }
            }
            return null;
        });
        for (int i = 0; i < total; i++)
        {
            table.Add($"e{i}");
            if (i % Page == Page - 1 && i > 2 * Page)
            {
                for (int j = i - 2 * Page - Page + 1; j <= i - 2 * Page; j++)
                {
                    if (j % 7 != 0)
                        table[j] = null!;
                }
                table.ReleaseBelow(i - 2 * Page + 1);
            }
        }
        Assert.Null(await reader);
    }
}
