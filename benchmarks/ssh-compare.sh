#!/usr/bin/env bash
# Remote-shell benchmark (issue 14): stock rsync and the published (NativeAOT) mrsync as the client, side by side
# with hyperfine in one run, over the same throwaway sshd on loopback, stock rsync's server on the far side for both
# (`rsync -e ssh SRC/ USER@127.0.0.1:DST/`). ssh's cipher bounds both. Scenarios:
#   1. push of 10,000 small files into an empty directory
#   2. push of a 256 MiB file with 64 scattered 4 KiB edits over the old copy (delta)
#   3. pull of the 10,000 small files into an empty directory
#   4. pull of the 256 MiB file over the old copy (delta)
# Usage: [MRSYNC=path/to/mrsync] [BOTH_ENDS=1] benchmarks/ssh-compare.sh [RUNS]   (default 5; results in $OUT,
#   default /tmp/mrsync-ssh-bench; without MRSYNC the script publishes one from this checkout). BOTH_ENDS=1 adds a third
#   command per scenario: mrsync on both ends (--rsync-path=MRSYNC, its `--server` on the far side).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench_common.sh
RUNS=${1:-5}
OUT=${OUT:-/tmp/mrsync-ssh-bench}
bench_setup mrsync-ssh-bench
trap 'if [ -n "${SSHD_PID:-}" ]; then kill "$SSHD_PID" 2>/dev/null || true; wait "$SSHD_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
bench_publish MRSYNC

echo "== starting sshd"
start_sshd
HOST="$(id -un)@127.0.0.1"
# One ssh login before timing, so a first-connection cost (host key load, sshd's first fork) is in neither tool's figure.
$RSH "$(id -un)@127.0.0.1" true

bench_data
REMOTE="$WORK/remote"
LOCAL="$WORK/local"
mkdir -p "$REMOTE" "$LOCAL"

# run3 NAME PREPARE STOCK_CMD MRSYNC_CMD [BOTH_CMD]: one scenario with its commands named as they are compared.
run3() {
  local name=$1 prepare=$2 stock=$3 ours=$4 both=${5:-}
  if [ -n "${BOTH_ENDS:-}" ] && [ -n "$both" ]; then
    run "$name" --prepare "$prepare" -n rsync "$stock" -n mrsync "$ours" -n "mrsync both ends" "$both"
  else
    run "$name" --prepare "$prepare" -n rsync "$stock" -n mrsync "$ours"
  fi
}

echo "== 1. push 10,000 small files"
run3 ssh-push-small "rm -rf $REMOTE/small" \
  "$RSYNC -a -e '$RSH' $WORK/small/ $HOST:$REMOTE/small/" \
  "$MRSYNC -a -e '$RSH' $WORK/small/ $HOST:$REMOTE/small/" \
  "$MRSYNC -a -e '$RSH' --rsync-path=$MRSYNC $WORK/small/ $HOST:$REMOTE/small/"
diff -r "$WORK/small" "$REMOTE/small"

echo "== 2. push a 256 MiB file with 64 scattered 4 KiB edits (delta)"
mkdir -p "$REMOTE/big"
run3 ssh-push-delta "cp -p $WORK/big-old/data.bin $REMOTE/big/data.bin" \
  "$RSYNC -a -e '$RSH' $WORK/big-new/ $HOST:$REMOTE/big/" \
  "$MRSYNC -a -e '$RSH' $WORK/big-new/ $HOST:$REMOTE/big/" \
  "$MRSYNC -a -e '$RSH' --rsync-path=$MRSYNC $WORK/big-new/ $HOST:$REMOTE/big/"
cmp "$WORK/big-new/data.bin" "$REMOTE/big/data.bin"

echo "== 3. pull 10,000 small files"
# The previous copy is moved aside, not deleted (pull-compare.sh: ext4's recently-deleted inode scan otherwise
# dominates creating 10,000 files just after deleting 10,000).
mkdir -p "$LOCAL/trash"
run3 ssh-pull-small "if [ -d $LOCAL/small ]; then mv $LOCAL/small $LOCAL/trash/\$(date +%s%N); fi" \
  "$RSYNC -a -e '$RSH' $HOST:$WORK/small/ $LOCAL/small/" \
  "$MRSYNC -a -e '$RSH' $HOST:$WORK/small/ $LOCAL/small/" \
  "$MRSYNC -a -e '$RSH' --rsync-path=$MRSYNC $HOST:$WORK/small/ $LOCAL/small/"
diff -r "$WORK/small" "$LOCAL/small"

echo "== 4. pull the 256 MiB file over the old copy (delta)"
mkdir -p "$LOCAL/big"
run3 ssh-pull-delta "cp -p $WORK/big-old/data.bin $LOCAL/big/data.bin" \
  "$RSYNC -a -e '$RSH' $HOST:$WORK/big-new/ $LOCAL/big/" \
  "$MRSYNC -a -e '$RSH' $HOST:$WORK/big-new/ $LOCAL/big/" \
  "$MRSYNC -a -e '$RSH' --rsync-path=$MRSYNC $HOST:$WORK/big-new/ $LOCAL/big/"
cmp "$WORK/big-new/data.bin" "$LOCAL/big/data.bin"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}'), $(ssh -V 2>&1)"
cat "$OUT"/ssh-*.md
