#!/usr/bin/env bash
# Regression check for a refactoring: stock rsync, an mrsync built BEFORE the change and one built AFTER it, side by
# side in one hyperfine run per scenario, against the same stock daemon on loopback (push and pull: 10,000 small files,
# a no-change re-run, a 256 MiB file with 64 scattered 4 KiB edits). Both mrsync builds are measured under the same
# load, so their ratio is what to read; the absolute figures are push-compare.sh's and pull-compare.sh's business.
# Usage: BEFORE=path/to/old/mrsync [AFTER=path/to/new/mrsync] benchmarks/before-after.sh [RUNS]
#   AFTER defaults to a NativeAOT publish of this checkout. Results go to $OUT (default /tmp/mrsync-before-after).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench_common.sh
RUNS=${1:-5}
OUT=${OUT:-/tmp/mrsync-before-after}
: "${BEFORE:?set BEFORE to the mrsync binary built before the change}"
bench_setup mrsync-ba
bench_publish AFTER

MOD="$WORK/mod"
mkdir -p "$MOD"
start_stock_daemon "$MOD"

bench_data
cp -a "$WORK/small" "$MOD/small"
cp -a "$WORK/big-new" "$MOD/big"

echo "== push: initial 10,000 small files"
run push-initial \
  --prepare "rm -rf $MOD/p-rsync $MOD/p-before $MOD/p-after" \
  -n rsync "$RSYNC -a $WORK/small/ $URL/p-rsync/" \
  -n before "$BEFORE -a $WORK/small/ $URL/p-before/" \
  -n after "$AFTER -a $WORK/small/ $URL/p-after/"

echo "== push: no-change re-run"
run push-nochange \
  -n rsync "$RSYNC -a $WORK/small/ $URL/p-rsync/" \
  -n before "$BEFORE -a $WORK/small/ $URL/p-before/" \
  -n after "$AFTER -a $WORK/small/ $URL/p-after/"

echo "== push: 256 MiB, 64 scattered edits (delta)"
mkdir -p "$MOD/b-rsync" "$MOD/b-before" "$MOD/b-after"
run push-delta \
  --prepare "cp -p $WORK/big-old/data.bin $MOD/b-rsync/data.bin; cp -p $WORK/big-old/data.bin $MOD/b-before/data.bin; cp -p $WORK/big-old/data.bin $MOD/b-after/data.bin" \
  -n rsync "$RSYNC -a $WORK/big-new/ $URL/b-rsync/" \
  -n before "$BEFORE -a $WORK/big-new/ $URL/b-before/" \
  -n after "$AFTER -a $WORK/big-new/ $URL/b-after/"
cmp "$WORK/big-new/data.bin" "$MOD/b-after/data.bin"

echo "== pull: initial 10,000 small files"
run pull-initial \
  --prepare "rm -rf $WORK/l-rsync $WORK/l-before $WORK/l-after" \
  -n rsync "$RSYNC -a $URL/small/ $WORK/l-rsync/" \
  -n before "$BEFORE -a $URL/small/ $WORK/l-before/" \
  -n after "$AFTER -a $URL/small/ $WORK/l-after/"

echo "== pull: no-change re-run"
run pull-nochange \
  -n rsync "$RSYNC -a $URL/small/ $WORK/l-rsync/" \
  -n before "$BEFORE -a $URL/small/ $WORK/l-before/" \
  -n after "$AFTER -a $URL/small/ $WORK/l-after/"

echo "== pull: 256 MiB, 64 scattered edits (delta)"
mkdir -p "$WORK/d-rsync" "$WORK/d-before" "$WORK/d-after"
run pull-delta \
  --prepare "cp -p $WORK/big-old/data.bin $WORK/d-rsync/data.bin; cp -p $WORK/big-old/data.bin $WORK/d-before/data.bin; cp -p $WORK/big-old/data.bin $WORK/d-after/data.bin" \
  -n rsync "$RSYNC -a $URL/big/ $WORK/d-rsync/" \
  -n before "$BEFORE -a $URL/big/ $WORK/d-before/" \
  -n after "$AFTER -a $URL/big/ $WORK/d-after/"
cmp "$WORK/big-new/data.bin" "$WORK/d-after/data.bin"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$OUT"/*.md
