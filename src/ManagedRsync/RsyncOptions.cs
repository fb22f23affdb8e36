using System.Net.Sockets;
using ManagedRsync.Filters;

namespace ManagedRsync;

/// <summary>
/// Every rsync option mrsync understands, as parsed from an rsync-style command line (the CLI fills it; push, pull
/// and watch only read it). Names follow rsync's long options; rsync's implied options are already applied
/// (<c>-a</c> sets its seven, <c>-P</c> sets <see cref="Partial"/> and <see cref="Progress"/>, each
/// <c>--delete-WHEN</c> sets <see cref="Delete"/>).
/// </summary>
public sealed class RsyncOptions
{
    /// <summary>-v, counted.</summary>
    public int Verbose { get; set; }
    /// <summary>-q.</summary>
    public bool Quiet { get; set; }
    /// <summary>-a (recorded; its implied options are set individually).</summary>
    public bool Archive { get; set; }
    /// <summary>-r.</summary>
    public bool Recursive { get; set; }
    /// <summary>-l, copy symlinks as symlinks.</summary>
    public bool Links { get; set; }
    /// <summary>-p.</summary>
    public bool Perms { get; set; }
    /// <summary>-t.</summary>
    public bool Times { get; set; }
    /// <summary>-g.</summary>
    public bool Group { get; set; }
    /// <summary>-o.</summary>
    public bool Owner { get; set; }
    /// <summary>--devices (and -D).</summary>
    public bool Devices { get; set; }
    /// <summary>--specials (and -D).</summary>
    public bool Specials { get; set; }
    /// <summary>-H.</summary>
    public bool HardLinks { get; set; }
    /// <summary>-z.</summary>
    public bool Compress { get; set; }
    /// <summary>--compress-level=N.</summary>
    public int? CompressLevel { get; set; }
    /// <summary>--compress-choice / --zc (implies <see cref="Compress"/> unless "none").</summary>
    public string? CompressChoice { get; set; }
    /// <summary>--checksum-choice / --cc, as written ("xxh128", "md5,md4", ...).</summary>
    public string? ChecksumChoice { get; set; }
    /// <summary>-c, compare files by checksum.</summary>
    public bool Checksum { get; set; }
    /// <summary>-W (true), --no-W (false), or rsync's default (null).</summary>
    public bool? WholeFile { get; set; }
    /// <summary>--delete and its timing variants.</summary>
    public DeleteTiming Delete { get; set; }
    /// <summary>--delete-excluded.</summary>
    public bool DeleteExcluded { get; set; }
    /// <summary>--delete-missing-args.</summary>
    public bool DeleteMissingArgs { get; set; }
    /// <summary>--exclude, --include, --filter/-f, --exclude-from, --include-from, -C, -F, in command-line order.</summary>
    public List<FilterArgument> Filters { get; } = [];
    /// <summary>--files-from=FILE ("-" is stdin).</summary>
    public string? FilesFrom { get; set; }
    /// <summary>--from0 / -0.</summary>
    public bool From0 { get; set; }
    /// <summary>-R.</summary>
    public bool Relative { get; set; }
    /// <summary>-n.</summary>
    public bool DryRun { get; set; }
    /// <summary>--stats.</summary>
    public bool Stats { get; set; }
    /// <summary>--progress (and -P).</summary>
    public bool Progress { get; set; }
    /// <summary>-i, counted.</summary>
    public int ItemizeChanges { get; set; }
    /// <summary>--numeric-ids.</summary>
    public bool NumericIds { get; set; }
    /// <summary>--timeout=SECONDS (0 = none).</summary>
    public int? Timeout { get; set; }
    /// <summary>--contimeout=SECONDS.</summary>
    public int? ConnectTimeout { get; set; }
    /// <summary>--bwlimit in bytes per second (rsync's RATE, KiB by default); null or 0 = unlimited.</summary>
    public long? BandwidthLimit { get; set; }
    /// <summary>--port=PORT.</summary>
    public int? Port { get; set; }
    /// <summary>--password-file=FILE ("-" is stdin).</summary>
    public string? PasswordFile { get; set; }
    /// <summary>--protocol=NUM.</summary>
    public int? Protocol { get; set; }
    /// <summary>--list-only.</summary>
    public bool ListOnly { get; set; }
    /// <summary>--address=ADDRESS, the local address to bind.</summary>
    public string? Address { get; set; }
    /// <summary>-4 / -6.</summary>
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;
    /// <summary>-e / --rsh=COMMAND (remote-shell transport, not supported yet).</summary>
    public string? RemoteShell { get; set; }
    /// <summary>--partial (and -P).</summary>
    public bool Partial { get; set; }
    /// <summary>--temp-dir / -T.</summary>
    public string? TempDir { get; set; }
    /// <summary>--no-motd (false).</summary>
    public bool Motd { get; set; } = true;
    /// <summary>-h / --human-readable, counted.</summary>
    public int HumanReadable { get; set; }
    /// <summary>--help (or a lone -h).</summary>
    public bool ShowHelp { get; set; }
    /// <summary>--version / -V.</summary>
    public bool ShowVersion { get; set; }
    /// <summary>The non-option arguments: sources then destination.</summary>
    public List<string> Args { get; } = [];
}

/// <summary>When deletions happen on the receiver (rsync --delete-before/-during/-delay/-after).</summary>
public enum DeleteTiming
{
    /// <summary>No --delete.</summary>
    None,
    /// <summary>--delete: rsync picks (during from protocol 30, before for older peers).</summary>
    Default,
    /// <summary>--delete-before.</summary>
    Before,
    /// <summary>--delete-during / --del.</summary>
    During,
    /// <summary>--delete-delay.</summary>
    Delay,
    /// <summary>--delete-after.</summary>
    After,
}

/// <summary>One filter option as given, in order.</summary>
/// <param name="Option">Which option.</param>
/// <param name="Value">Its argument, verbatim.</param>
public sealed record FilterArgument(FilterOptionKind Option, string Value);
