namespace ManagedRsync.Cli;

/// <summary>--help text (--version is <see cref="VersionReport"/>).</summary>
internal static class Usage
{
    public const string Help = """
        mrsync is a pure-managed rsync client that speaks the rsync daemon protocol (27-32).

        Usage: mrsync [OPTION]... SRC [SRC]... [USER@]HOST::DEST
          or   mrsync [OPTION]... SRC [SRC]... rsync://[USER@]HOST[:PORT]/DEST
          or   mrsync [OPTION]... [USER@]HOST::SRC [DEST]
          or   mrsync [OPTION]... rsync://[USER@]HOST[:PORT]/SRC [DEST]
          or   mrsync watch|inotifywait|doctor|signature|delta|patch ...
        A '::' or rsync:// address names an rsync daemon. With a daemon source and no DEST
        the modules (HOST:: or rsync://HOST/) or the files of a module are listed.
        Remote-shell transport (HOST:PATH, -e) is not supported yet.

        Options
        --verbose, -v            increase verbosity
        --info=FLAGS             fine-grained informational verbosity (--info=help lists them;
                                 copy, and name2 without -i with a basis dir: [push];
                                 stats3 prints mrsync's own memory figures)
        --quiet, -q              suppress non-error messages
        --no-motd                suppress daemon-mode MOTD
        --checksum, -c           skip based on checksum, not mod-time & size
        --archive, -a            archive mode is -rlptgoD (no -A,-X,-U,-N,-H)
        --no-OPTION              turn off an implied OPTION (e.g. --no-D)
        --old-dirs, --old-d      works like --dirs when talking to old rsync
        --recursive, -r          recurse into directories
        --no-inc-recursive       disable incremental recursion
        --no-i-r                 same as --no-inc-recursive
        --relative, -R           use relative path names
        --no-implied-dirs        don't send implied dirs with --relative
        --links, -l              copy symlinks as symlinks
        --copy-links, -L         transform symlink into referent file/directory
        --copy-unsafe-links      only "unsafe" symlinks are transformed
        --safe-links             ignore symlinks that point outside the tree
        --munge-links            munge symlinks to make them safe & unusable
        --copy-dirlinks, -k      transform symlink to directory into referent directory
        --hard-links, -H         preserve hard links
        --perms, -p              preserve permissions
        --executability, -E      preserve executability
        --acls, -A               preserve ACLs (implies --perms)
        --xattrs, -X             preserve extended attributes
        --owner, -o              preserve owner (super-user only)
        --group, -g              preserve group
        --devices                preserve device files (super-user only)
        --copy-devices           copy device contents as a regular file
        --specials               preserve special files
        -D                       same as --devices --specials
        --times, -t              preserve modification times
        --atimes, -U             preserve access (use) times
        --open-noatime           avoid changing the atime on opened files
        --drop-D                 receiver refuses to create devices/specials
        --omit-dir-times, -O     omit directories from --times
        --omit-link-times, -J    omit symlinks from --times
        --super                  receiver attempts super-user activities
        --fake-super             store/recover privileged attrs using xattrs
        --dry-run, -n            perform a trial run with no changes made
        --whole-file, -W         copy files whole (w/o delta-xfer algorithm)
        --no-whole-file, --no-W  use the delta-xfer algorithm
        --checksum-choice=STR    choose the checksum algorithm (aka --cc)
        --block-size=SIZE, -B    force a fixed checksum block-size
        --del                    an alias for --delete-during
        --delete                 delete extraneous files from dest directories
        --delete-before          receiver deletes before xfer, not during
        --delete-during          receiver deletes during the transfer
        --delete-delay           find deletions during, delete after
        --delete-after           receiver deletes after transfer, not during
        --delete-excluded        also delete excluded files from dest directories
        --delete-missing-args    delete missing source arguments from destination
        --ignore-missing-args    ignore missing source args without error
        --partial                keep partially transferred files
        --partial-dir=DIR        put a partially transferred file into DIR (with a '..'
                                 left in it: [push])
        --delay-updates          put all updated files into place at end
        --prune-empty-dirs, -m   prune empty directory chains from file-list
        --backup, -b             make backups (see --suffix & --backup-dir) [push, local]
        --backup-dir=DIR         make backups into hierarchy based in DIR [push]
        --suffix=SUFFIX          backup suffix (default ~ w/o --backup-dir) [push, local]
        --update, -u             skip files that are newer on the receiver
        --existing               skip creating new files on receiver
        --ignore-existing        skip updating files that exist on receiver
        --max-size=SIZE          don't transfer any file larger than SIZE
        --min-size=SIZE          don't transfer any file smaller than SIZE
        --max-delete=NUM         don't delete more than NUM files
        --ignore-errors          delete even if there are I/O errors
        --force                  force deletion of directories even if not empty [push]
        --compare-dest=DIR       also compare destination files relative to DIR [push]
        --copy-dest=DIR          ... and include copies of unchanged files [push]
        --link-dest=DIR          hardlink to files in DIR when unchanged [push]
        --fuzzy, -y              find similar file for basis if no dest file
        --sparse, -S             turn sequences of nulls into sparse blocks [push]
        --preallocate            allocate dest files before writing them [push]
        --fsync                  fsync every written file [push]
        --mkpath                 create destination's missing path components
        --keep-dirlinks, -K      treat symlinked directory on receiver as directory [push]
        --modify-window=NUM, -@  set the accuracy for mod-time comparisons
        --usermap=STRING         custom username mapping
        --groupmap=STRING        custom groupname mapping
        --chown=USER:GROUP       simple username/groupname mapping
        --checksum-seed=NUM      set block/file checksum seed (advanced)
        --max-alloc=SIZE         change a limit relating to memory alloc [0 only]
        --numeric-ids            don't map uid/gid values by user/group name
        --timeout=SECONDS        set I/O timeout in seconds
        --contimeout=SECONDS     set daemon connection timeout in seconds
        --one-file-system, -x    don't cross filesystem boundaries
        --ignore-times, -I       don't skip files that match size and time
        --size-only              skip files that match in size
        --temp-dir=DIR, -T       create temporary files in directory DIR
        --compress, -z           compress file data during the transfer
        --compress-choice=STR    choose the compression algorithm (aka --zc)
        --compress-level=NUM     explicitly set compression level (aka --zl)
        --cvs-exclude, -C        auto-ignore files in the same way CVS does
        --filter=RULE, -f        add a file-filtering RULE
        -F                       same as --filter='dir-merge /.rsync-filter'
                                 repeated: --filter='- .rsync-filter'
        --exclude=PATTERN        exclude files matching PATTERN
        --exclude-from=FILE      read exclude patterns from FILE
        --include=PATTERN        don't exclude files matching PATTERN
        --include-from=FILE      read include patterns from FILE
        --files-from=FILE        read list of source-file names from FILE
        --from0, -0              all *-from/filter files are delimited by 0s
        --address=ADDRESS        bind address for outgoing socket to daemon
        --port=PORT              specify double-colon alternate port number
        --blocking-io            use blocking I/O for the remote shell
        --outbuf=N|L|B           set out buffering to None, Line, or Block
        --stats                  give some file-transfer stats
        --human-readable, -h     output numbers in a human-readable format
        --progress               show progress during transfer
        -P                       same as --partial --progress
        --itemize-changes, -i    output a change-summary for all updates
        --out-format=FORMAT      output updates using the specified FORMAT
        --stderr=e|a|c           change stderr output mode (default: errors)
        --8-bit-output, -8       leave high-bit chars unescaped in output
        --password-file=FILE     read daemon-access password from FILE
        --list-only              list the files instead of copying them
        --bwlimit=RATE           limit socket I/O bandwidth
        --write-batch=FILE       write a batched update to FILE
        --only-write-batch=FILE  like --write-batch but w/o updating dest
        --read-batch=FILE        read a batched update from FILE
        --protocol=NUM           force an older protocol version to be used
        --ipv4, -4               prefer IPv4
        --ipv6, -6               prefer IPv6
        --version, -V            print the version + other info and exit
        --help, -h (*)           show this help (* -h is help only on its own)

        These are the rsync options mrsync implements, as stock rsync 3.5.0 does them (--files-from on a
        push only; [push]: a push only, where the receiving daemon does the work; [push, local]: not on a
        pull; elsewhere refused with exit 4). Every other rsync option is refused by name with exit 4 ("not supported yet").
        """;
}
