#!/usr/bin/env bash
# End-to-end push benchmark: stock rsync and the published (NativeAOT) mrsync, side by side against the same stock
# rsync daemon on loopback, with hyperfine. Scenarios (issue 4):
#   1. initial push of 10,000 small files
#   2. no-change re-push of that tree
#   3. a 256 MiB file with 64 scattered 4 KiB edits over the old copy (delta)
#   4. the same with -z (both sides negotiate zstd with a 3.5.0 daemon)
# Usage: [MRSYNC=path/to/mrsync] benchmarks/push-compare.sh [RUNS]   (default 5; results go to $OUT, default
#   /tmp/mrsync-push-bench; without MRSYNC the script publishes one from this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench_common.sh
RUNS=${1:-5}
OUT=${OUT:-/tmp/mrsync-push-bench}
bench_setup mrsync-bench
bench_publish MRSYNC

echo "== starting a stock daemon"
MOD="$WORK/mod"
mkdir -p "$MOD"
start_stock_daemon "$MOD"

bench_data

echo "== 1. initial push of 10,000 small files"
run initial-small \
  --prepare "rm -rf $MOD/small-rsync $MOD/small-mrsync" \
  -n rsync "$RSYNC -a $WORK/small/ $URL/small-rsync/" \
  -n mrsync "$MRSYNC -a $WORK/small/ $URL/small-mrsync/"

echo "== 2. no-change re-push"
run repush-small \
  -n rsync "$RSYNC -a $WORK/small/ $URL/small-rsync/" \
  -n mrsync "$MRSYNC -a $WORK/small/ $URL/small-mrsync/"

echo "== 3. 256 MiB, 64 scattered 4 KiB edits (delta)"
mkdir -p "$MOD/big-rsync" "$MOD/big-mrsync"
run delta-big \
  --prepare "cp -p $WORK/big-old/data.bin $MOD/big-rsync/data.bin; cp -p $WORK/big-old/data.bin $MOD/big-mrsync/data.bin" \
  -n rsync "$RSYNC -a $WORK/big-new/ $URL/big-rsync/" \
  -n mrsync "$MRSYNC -a $WORK/big-new/ $URL/big-mrsync/"

echo "== 4. the same with -z (zstd)"
run delta-big-zstd \
  --prepare "cp -p $WORK/big-old/data.bin $MOD/big-rsync/data.bin; cp -p $WORK/big-old/data.bin $MOD/big-mrsync/data.bin" \
  -n rsync "$RSYNC -az $WORK/big-new/ $URL/big-rsync/" \
  -n mrsync "$MRSYNC -az $WORK/big-new/ $URL/big-mrsync/"

cmp "$WORK/big-new/data.bin" "$MOD/big-mrsync/data.bin" && echo "mrsync's copy is identical"
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}')"
cat "$OUT"/*.md
