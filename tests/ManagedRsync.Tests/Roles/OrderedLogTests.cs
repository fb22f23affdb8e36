using ManagedRsync.Roles.Receiving;

namespace ManagedRsync.Tests.Roles;

/// <summary>
/// The ordered -v/-i log of a receiving client (protocol-notes §59): lines come out in index order once every entry
/// before them is settled and released, across incremental parts that extend it as they arrive, and what is out is
/// dropped without changing the order.
/// </summary>
public sealed class OrderedLogTests
{
    private sealed class Lines : ITransferLog
    {
        public List<string> Printed { get; } = [];

        public void Info(string line) => Printed.Add(line);

        public void Error(string line) => Printed.Add("ERR " + line);
    }

    [Fact]
    public void ALaterPartsLinesWaitForTheFirstPartsAndComeInIndexOrder()
    {
        var lines = new Lines();
        var log = new OrderedLog(lines, 3);
        // The first part: its slot 0 and entries 1-2; entry 2 is a file being transferred.
        log.Add(0, "./");
        log.GeneratorDone(0);
        log.GeneratorDone(1);
        log.Add(2, "top");
        log.ExpectTransfer(2);
        log.GeneratorDone(2);
        // The second part arrives (its slot 3 and entries 4-5) and is walked before the file of the first is done.
        log.Extend(6);
        log.Add(3, "d0/");
        log.GeneratorDone(3);
        log.Add(4, "d0/a");
        log.GeneratorDone(4);
        log.Release(6);
        Assert.Equal(["./"], lines.Printed);
        log.DeletedNow("d0/old", isDirectory: false, mode: 0);
        log.TransferDone(2);
        Assert.Equal(["./", "top", "d0/", "d0/a"], lines.Printed);
        log.Add(5, "d0/b");
        log.GeneratorDone(5);
        log.Flush();
        Assert.Equal(["./", "top", "d0/", "d0/a", "d0/b"], lines.Printed);
    }

    [Fact]
    public void ManyPartsKeepTheirOrderWhileWhatIsOutIsDropped()
    {
        var lines = new Lines();
        var log = new OrderedLog(lines, 1);
        var expected = new List<string>();
        log.GeneratorDone(0);
        int count = 1;
        for (int part = 0; part < 200; part++)
        {
            log.Extend(count + 100);
            for (int ndx = count; ndx < count + 100; ndx++)
            {
                // Every other entry is a transfer settled one part later.
                log.Add(ndx, $"e{ndx}");
                if (ndx % 2 == 0)
                    log.ExpectTransfer(ndx);
                log.GeneratorDone(ndx);
                expected.Add($"e{ndx}");
            }
            if (count > 100)
            {
                for (int ndx = count - 100; ndx < count; ndx++)
                {
                    if (ndx % 2 == 0)
                        log.TransferDone(ndx);
                }
            }
            count += 100;
            log.Release(count);
        }
        Assert.True(lines.Printed.Count > 19_000);
        for (int ndx = count - 100; ndx < count; ndx++)
        {
            if (ndx % 2 == 0)
                log.TransferDone(ndx);
        }
        log.Flush();
        Assert.Equal(expected, lines.Printed);
    }
}
