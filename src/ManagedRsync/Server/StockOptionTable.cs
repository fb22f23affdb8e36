namespace ManagedRsync.Server;

/// <summary>
/// The rows of stock rsync 3.5.0's option table (options.c: long_options) as a daemon's "refuse options" sees them:
/// each row's long name, its short letter, and which rows are the same capability spelled twice (options.c:
/// same_refuse_action: rows that store the same constant in the same variable, such as --del and --delete-during, or
/// that store a value the same way, such as --compress-level and --zl). Written "name/letter=group", in the table's
/// order (parse_one_refuse_match stops at the first row an exact rule names; a letter is the first row that has it).
/// </summary>
internal static class StockOptionTable
{
    /// <summary>One row: its long name, its short letter ('\0' for none) and its alias group (0 for none).</summary>
    public readonly record struct Row(string Long, char Short, int Group);

    // Extracted from rsync-3.5.0/options.c long_options: 258 rows, three of them a letter without a long name ("/D",
    // "/F", "/P"); the alias groups computed by same_refuse_action's rule. Data, not code: a new upstream table is a
    // new extraction.
    private const string Table = """
        help version/V verbose/v no-verbose=1 no-v=1 info debug stderr msgs2stderr no-msgs2stderr quiet/q motd
        no-motd stats human-readable/h no-human-readable=2 no-h=2 dry-run/n archive/a recursive/r no-recursive=3
        no-r=3 inc-recursive=4 no-inc-recursive=5 i-r=4 no-i-r=5 dirs/d no-dirs=6 no-d=6 old-dirs=7 old-d=7
        perms/p no-perms=8 no-p=8 executability/E acls/A no-acls=9 no-A=9 xattrs/X no-xattrs=10 no-X=10 times/t
        no-times=11 no-t=11 atimes/U no-atimes=12 no-U=12 open-noatime no-open-noatime crtimes/N no-crtimes=13
        no-N=13 omit-dir-times/O no-omit-dir-times=14 no-O=14 omit-link-times/J no-omit-link-times=15 no-J=15
        modify-window/@ super no-super fake-super owner/o no-owner=16 no-o=16 group/g no-group=17 no-g=17 /D
        no-D devices no-devices copy-devices write-devices no-write-devices specials no-specials drop-D
        no-drop-D confine-root links/l no-links=18 no-l=18 copy-links/L copy-unsafe-links safe-links
        insecure-links no-insecure-links munge-links no-munge-links copy-dirlinks/k keep-dirlinks/K hard-links/H
        no-hard-links=19 no-H=19 relative/R no-relative=20 no-R=20 implied-dirs=21 no-implied-dirs=22 i-d=21
        no-i-d=22 chmod ignore-times/I size-only one-file-system/x no-one-file-system=23 no-x=23 update/u
        existing=24 ignore-non-existing=24 ignore-existing max-size min-size max-alloc sparse/S no-sparse=25
        no-S=25 preallocate inplace no-inplace append append-verify no-append del=26 delete delete-before
        delete-during=26 delete-delay delete-after delete-excluded delete-missing-args ignore-missing-args
        remove-sent-files remove-source-files force no-force ignore-errors no-ignore-errors max-delete /F
        filter/f exclude include exclude-from include-from cvs-exclude/C whole-file/W no-whole-file=27 no-W=27
        checksum/c no-checksum=28 no-c=28 checksum-choice=29 cc=29 block-size/B compare-dest copy-dest link-dest
        fuzzy/y no-fuzzy=30 no-y=30 compress/z old-compress new-compress no-compress=31 no-z=31
        compress-choice=32 zc=32 skip-compress compress-level=33 zl=33 compress-threads=34 zt=34 /P progress
        no-progress partial no-partial partial-dir delay-updates no-delay-updates prune-empty-dirs/m
        no-prune-empty-dirs=35 no-m=35 log-file log-file-format out-format=36 log-format=36 itemize-changes/i
        no-itemize-changes=37 no-i=37 bwlimit no-bwlimit backup/b no-backup backup-dir suffix list-only
        read-batch write-batch only-write-batch files-from from0/0 no-from0 old-args no-old-args
        secluded-args/s=38 no-secluded-args=39 protect-args=38 no-protect-args=39 no-s=39 trust-sender
        numeric-ids no-numeric-ids usermap groupmap chown timeout no-timeout contimeout no-contimeout fsync
        stop-after=40 time-limit=40 stop-at rsh/e rsync-path temp-dir/T iconv no-iconv ipv4/4 ipv6/6
        8-bit-output/8 no-8-bit-output=41 no-8=41 mkpath no-mkpath qsort copy-as address port sockopts
        password-file early-input blocking-io no-blocking-io outbuf remote-option/M protocol checksum-seed
        server sender config=42 daemon=43 dparam=42 detach=43 no-detach=43
        """;

    /// <summary>Every row, in stock's order.</summary>
    public static readonly Row[] Rows = Parse(Table);

    /// <summary>The first row named <paramref name="longName"/>, or -1.</summary>
    public static int ByLong(string longName) => Array.FindIndex(Rows, r => r.Long == longName);

    /// <summary>The first row whose short letter is <paramref name="letter"/>, or -1.</summary>
    public static int ByShort(char letter) => Array.FindIndex(Rows, r => r.Short == letter);

    private static Row[] Parse(string table)
    {
        var rows = new List<Row>();
        foreach (string word in table.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = word.IndexOf('=');
            string nameAndLetter = eq < 0 ? word : word[..eq];
            int group = eq < 0 ? 0 : int.Parse(word[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            int slash = nameAndLetter.IndexOf('/');
            rows.Add(slash < 0 ? new Row(nameAndLetter, '\0', group) : new Row(nameAndLetter[..slash], nameAndLetter[slash + 1], group));
        }
        return [.. rows];
    }
}
