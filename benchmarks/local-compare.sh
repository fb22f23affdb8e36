#!/usr/bin/env bash
# Local copy (`rsync SRC/ DST/`, no daemon, no network): stock rsync vs the published (NativeAOT) mrsync, side by side
# with hyperfine in one run. Stock forks a server generator/receiver and talks to it over a socketpair; mrsync runs the
# same roles in one process over an in-memory pipe (issue 12). Scenarios:
#   1. initial copy of 10,000 small files (1-8 KiB) into an empty directory
#   2. no-change re-copy of that tree
#   3. a 256 MiB file with 64 scattered 4 KiB edits over the old copy, with --no-W (a local copy is whole-file by
#      default: options.c sets whole_file for local transfers); the script checks that both used the basis
#      ("Matched data" of --stats) and that the copies are identical
# Usage: [MRSYNC=path/to/mrsync] [DEST=dir] benchmarks/local-compare.sh [RUNS]
#   RUNS     hyperfine runs per tool and scenario (default 5, plus one warm-up)
#   MRSYNC   the NativeAOT binary; when unset the script publishes one from this checkout
#   DEST     where the copies go (default: the work directory); DEST=/dev/shm takes the destination file system's
#            inode allocation and writeback, noisy on a shared disk, out of the comparison
#   OUT      where hyperfine's markdown and JSON go (default /tmp/mrsync-local-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench_common.sh
RUNS=${1:-5}
OUT=${OUT:-/tmp/mrsync-local-bench}
bench_setup local-compare
TO=$(mktemp -d "${DEST:-$WORK}/local-compare-dest.XXXXXX")
CLEAN_ALSO=$TO
bench_publish MRSYNC

bench_data

echo "== 1. initial local copy of 10,000 small files"
run local-initial-small \
  --prepare "rm -rf $TO/small-rsync $TO/small-mrsync" \
  -n rsync "$RSYNC -a $WORK/small/ $TO/small-rsync/" \
  -n mrsync "$MRSYNC -a $WORK/small/ $TO/small-mrsync/"
diff -r "$WORK/small" "$TO/small-mrsync" >/dev/null && echo "mrsync's copy of the small files is identical"

echo "== 2. no-change re-copy"
run local-recopy-small \
  -n rsync "$RSYNC -a $WORK/small/ $TO/small-rsync/" \
  -n mrsync "$MRSYNC -a $WORK/small/ $TO/small-mrsync/"

echo "== 3. 256 MiB, 64 scattered 4 KiB edits, --no-W (delta against the old copy)"
mkdir -p "$TO/big-rsync" "$TO/big-mrsync"
# The basis must be used: one run of each with --stats, outside the timing.
for tool in rsync mrsync; do
  bin=$RSYNC; [ $tool = mrsync ] && bin=$MRSYNC
  cp -p "$WORK/big-old/data.bin" "$TO/big-$tool/data.bin"
  matched=$("$bin" -a --no-W --stats "$WORK/big-new/" "$TO/big-$tool/" | sed -n 's/^Matched data: \([0-9,]*\) bytes$/\1/p' | tr -d ,)
  echo "$tool: Matched data $matched bytes"
  [ "${matched:-0}" -gt $((200 << 20)) ] || { echo "$tool did not use the old copy as the basis"; exit 1; }
  cmp "$WORK/big-new/data.bin" "$TO/big-$tool/data.bin"
done
run local-delta-big \
  --prepare "cp -p $WORK/big-old/data.bin $TO/big-rsync/data.bin; cp -p $WORK/big-old/data.bin $TO/big-mrsync/data.bin" \
  -n rsync "$RSYNC -a --no-W $WORK/big-new/ $TO/big-rsync/" \
  -n mrsync "$MRSYNC -a --no-W $WORK/big-new/ $TO/big-mrsync/"
cmp "$WORK/big-new/data.bin" "$TO/big-mrsync/data.bin" && echo "mrsync's copy of the big file is identical"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}'), load:$(uptime | sed 's/.*load average://')"
for name in local-initial-small local-recopy-small local-delta-big; do echo "### $name"; cat "$OUT/$name.md"; done
