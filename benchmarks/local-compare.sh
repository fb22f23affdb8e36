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
RUNS=${1:-5}
OUT=${OUT:-/tmp/mrsync-local-bench}
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }
command -v rsync >/dev/null || { echo "stock rsync is required"; exit 1; }

WORK=$(mktemp -d /tmp/local-compare.XXXXXX)
TO=$(mktemp -d "${DEST:-$WORK}/local-compare-dest.XXXXXX")
cleanup() { rm -rf "$WORK" "$TO"; }
trap cleanup EXIT
mkdir -p "$OUT"
if [ -z "${MRSYNC:-}" ]; then
  echo "== publishing mrsync (NativeAOT)"
  dotnet publish src/ManagedRsync.Cli -c Release -o "$WORK/bin" -v quiet -nologo >/dev/null
  MRSYNC="$WORK/bin/mrsync"
fi
RSYNC=$(command -v rsync)

echo "== generating data"
python3 - "$WORK" <<'PY'
import os, random, sys
work = sys.argv[1]
rng = random.Random(1)
small = os.path.join(work, "small")
for d in range(100):
    os.makedirs(os.path.join(small, f"dir{d:03}"), exist_ok=True)
    for f in range(100):
        with open(os.path.join(small, f"dir{d:03}", f"file{f:03}.txt"), "wb") as h:
            h.write(rng.randbytes(rng.randint(1024, 8192)))
data = bytearray(b"".join(rng.randbytes(1 << 20) for _ in range(256)))
with open(os.path.join(work, "old.bin"), "wb") as h: h.write(data)
for _ in range(64):
    at = rng.randrange(len(data) - 4096)
    data[at:at + 4096] = rng.randbytes(4096)
new = os.path.join(work, "big"); os.makedirs(new)
with open(os.path.join(new, "data.bin"), "wb") as h: h.write(data)
PY
touch -d '2020-01-01' "$WORK/old.bin"

run() { # name, hyperfine args...
  local name=$1; shift
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$OUT/$name.md" --export-json "$OUT/$name.json" "$@"
}

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
  cp -p "$WORK/old.bin" "$TO/big-$tool/data.bin"
  matched=$("$bin" -a --no-W --stats "$WORK/big/" "$TO/big-$tool/" | sed -n 's/^Matched data: \([0-9,]*\) bytes$/\1/p' | tr -d ,)
  echo "$tool: Matched data $matched bytes"
  [ "${matched:-0}" -gt $((200 << 20)) ] || { echo "$tool did not use the old copy as the basis"; exit 1; }
  cmp "$WORK/big/data.bin" "$TO/big-$tool/data.bin"
done
run local-delta-big \
  --prepare "cp -p $WORK/old.bin $TO/big-rsync/data.bin; cp -p $WORK/old.bin $TO/big-mrsync/data.bin" \
  -n rsync "$RSYNC -a --no-W $WORK/big/ $TO/big-rsync/" \
  -n mrsync "$MRSYNC -a --no-W $WORK/big/ $TO/big-mrsync/"
cmp "$WORK/big/data.bin" "$TO/big-mrsync/data.bin" && echo "mrsync's copy of the big file is identical"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}'), load:$(uptime | sed 's/.*load average://')"
for name in local-initial-small local-recopy-small local-delta-big; do echo "### $name"; cat "$OUT/$name.md"; done
