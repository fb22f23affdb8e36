#!/usr/bin/env bash
# Million-file trees (issue 16): stock rsync 3.5.0 vs mrsync against one stock daemon, side by side in one run.
# The tree: FILES small files (default 1,000,000) in DIRS directories (default 10,000; 100 per parent), generated here.
# Scenarios, each for both tools in turn (same daemon, same tree):
#   pull-initial   the module into an empty directory          (stock's daemon sends its list incrementally to both)
#   pull-nochange  the same again, nothing to do
#   pull-touch1    after touching 1% of the source files (new mtime, same size: each is sent again)
#   push-initial   the tree into an empty module directory
#   push-nochange  the same again
#   push-touch1    after touching 1% of the source files
# Per run: wall seconds, the client's user+system CPU seconds and peak RSS (/usr/bin/time: the client process only,
# not the daemon), and the time to the first file data (a poller that waits for the first regular file of the
# tree, in sorted order, to appear in the destination; 1 ms resolution).
#
#   [MRSYNC=path/to/mrsync] [FILES=N] [DIRS=N] [RUNS=N] benchmarks/million.sh
#   MRSYNC  the NativeAOT binary; unset publishes one from this checkout
#   RUNS    runs per scenario and tool (default 3; the table shows the median run by wall time)
#   ONLY    "pull" or "push": only that direction's three scenarios (default: both)
#   SETTLE  seconds to wait after removing the previous run's trees, before the initial runs (default 65; see settle)
#   HLINK   1: every 50th file also gets a hard link in the directory before its own (a group whose members travel
#           in different incremental lists), and both tools run with -H (default 0)
#   EXTRA   more options for every tool (e.g. "-v": the -av restore; output still goes to /dev/null)
#   SYNC    0: no sync before each timed run (default 1: the page cache's dirty data is written back first, untimed)
#   BEFORE  a second mrsync command line, run as tool "before" after "mrsync" in every scenario (e.g. an older build,
#           or "path/to/mrsync --no-i-r"), so that before and after share the run, the tree and the daemon
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${FILES:-1000000}
DIRS=${DIRS:-10000}
RUNS=${RUNS:-3}
ONLY=${ONLY:-}
HLINK=${HLINK:-0}
A=-a; [ "$HLINK" = 1 ] && A=-aH
EXTRA=${EXTRA:-}
BEFORE=${BEFORE:-}
TOOLS="rsync mrsync"; [ -n "$BEFORE" ] && TOOLS="rsync mrsync before"
case "$ONLY" in ""|pull|push) ;; *) echo "million.sh: ONLY is pull or push" >&2; exit 2 ;; esac
OUT=${OUT:-/tmp/million-results}
. benchmarks/bench_common.sh
bench_setup million
bench_publish MRSYNC

echo "== generating $FILES files in $DIRS directories"
python3 - "$WORK/mod/src" "$FILES" "$DIRS" "$HLINK" <<'PY'
import os, sys
root, files, dirs, hlink = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
per_dir = max(1, files // dirs)
made = 0
previous = None
for d in range(dirs):
    path = os.path.join(root, f"p{d // 100:03d}", f"d{d % 100:02d}")
    os.makedirs(path, exist_ok=True)
    for f in range(per_dir if d < dirs - 1 else files - made):
        name = os.path.join(path, f"f{f:04d}")
        with open(name, "wb") as fh:
            fh.write(b"x" * (64 + (made % 512)))
        if hlink and previous and made % 50 == 0:
            os.link(name, os.path.join(previous, f"h{f:04d}"))
        made += 1
    previous = path
PY
FIRST="p000/d00/f0000"
SRC="$WORK/mod/src"
start_stock_daemon "$WORK/mod"

# one TOOL SCENARIO CMD...: runs CMD under /usr/bin/time with a poller for the first file; appends a result line
# "scenario tool wall cpu rss_kib first_ms user sys" to $OUT/million.txt.
one() {
  local tool=$1 scenario=$2 dest=$3; shift 3
  rm -f "$WORK/first" "$WORK/ready"
  # The poller reports the wall-clock time (ns) the file appeared; it is ready before the command starts, so its
  # own start-up is not counted. An existing file (a re-run) reports "-".
  python3 - "$dest/$FIRST" "$WORK/first" "$WORK/ready" <<'PY' &
import os, sys, time
path, out, ready = sys.argv[1], sys.argv[2], sys.argv[3]
existed = os.path.exists(path)
open(ready, "w").close()
t0 = time.monotonic()
while not existed and not os.path.exists(path) and time.monotonic() - t0 < 3600:
    time.sleep(0.001)
open(out, "w").write("-" if existed else str(time.time_ns()))
PY
  local poller=$!
  while [ ! -e "$WORK/ready" ]; do sleep 0.01; done
  # The previous run's dirty pages (up to a million new inodes) are written back now, untimed: otherwise the kernel's
  # writeback of one tool's files lands in the next tool's run (session 16: a tool's initial push ran 10 % slower when
  # it came after another's).
  [ "${SYNC:-1}" = 0 ] || sync
  local start=$(date +%s%N)
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >/dev/null
  sleep 0.05
  kill "$poller" 2>/dev/null || true
  wait "$poller" 2>/dev/null || true
  read -r wall user sys rss < "$WORK/time"
  local first="-"
  if [ -s "$WORK/first" ] && [ "$(cat "$WORK/first")" != "-" ]; then first=$(( ($(cat "$WORK/first") - start) / 1000000 )); fi
  echo "$scenario $tool $wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss $first $user $sys" | tee -a "$OUT/million.txt"
}

# With HLINK=1: the first link (p000/d00/h0000, the first file of p000/d01) arrived as a second name of that file.
linked() {
  [ "$HLINK" != 1 ] || [ "$(stat -c %h "$1/p000/d00/h0000")" = 2 ] || { echo "million.sh: $1 lost a hard link" >&2; exit 1; }
}

touch1() { # 1% of the files get a new mtime (same size)
  find "$SRC" -type f | awk 'NR % 100 == 0' | xargs touch -d "@$(( $(date +%s) - 10 ))"
}

# settle DIR...: removes the previous run's destinations of both tools together, then waits out the kernel's window
# for recently freed inodes. ext4 without a journal (this machine's root, and mke2fs -O ^has_journal) skips an inode
# freed less than 60 s ago (RECENTCY_MIN; 300 s more while its inode-table block is dirty, hence the sync) when it
# allocates one (fs/ext4/ialloc.c: find_inode_bit -> recently_deleted, reading the inode table for each candidate):
# the first tool to create 100,000 files after a 300,000-file rm -rf spent 51 s in the kernel, the next 5 s
# (RESULTS.md, session 13). SETTLE=0 skips the wait.
SETTLE=${SETTLE:-65}
settle() {
  local removed=0 d
  for d in "$@"; do [ -e "$d" ] && { rm -rf "$d"; removed=1; }; done
  if [ "$removed" = 1 ] && [ "$SETTLE" != 0 ]; then sync; sleep "$SETTLE"; fi
}

: > "$OUT/million.txt"
ALL_TOOLS=$TOOLS
for run in $(seq "$RUNS"); do
  # Even runs take the tools in reverse order, so that with RUNS >= 2 no tool always goes first.
  TOOLS=$ALL_TOOLS; [ $((run % 2)) = 0 ] && TOOLS=$(echo $ALL_TOOLS | tr ' ' '\n' | tac | tr '\n' ' ')
  if [ "$ONLY" != push ]; then
  settle "$WORK/pull-rsync" "$WORK/pull-mrsync" "$WORK/pull-before"
  for tool in $TOOLS; do
    bin=$RSYNC; [ $tool = mrsync ] && bin=$MRSYNC; [ $tool = before ] && bin=$BEFORE
    dst="$WORK/pull-$tool"
    one $tool pull-initial "$dst" $bin $A $EXTRA "$URL/src/" "$dst/"
    one $tool pull-nochange "$dst" $bin $A $EXTRA "$URL/src/" "$dst/"
  done
  touch1
  for tool in $TOOLS; do
    bin=$RSYNC; [ $tool = mrsync ] && bin=$MRSYNC; [ $tool = before ] && bin=$BEFORE
    one $tool pull-touch1 "$WORK/pull-$tool" $bin $A $EXTRA "$URL/src/" "$WORK/pull-$tool/"
    diff -rq "$SRC" "$WORK/pull-$tool" >/dev/null
    linked "$WORK/pull-$tool"
  done
  fi
  [ "$ONLY" = pull ] && continue
  settle "$WORK/mod/push-rsync" "$WORK/mod/push-mrsync" "$WORK/mod/push-before"
  for tool in $TOOLS; do
    bin=$RSYNC; [ $tool = mrsync ] && bin=$MRSYNC; [ $tool = before ] && bin=$BEFORE
    one $tool push-initial "$WORK/mod/push-$tool" $bin $A $EXTRA "$SRC/" "$URL/push-$tool/"
    one $tool push-nochange "$WORK/mod/push-$tool" $bin $A $EXTRA "$SRC/" "$URL/push-$tool/"
  done
  touch1
  for tool in $TOOLS; do
    bin=$RSYNC; [ $tool = mrsync ] && bin=$MRSYNC; [ $tool = before ] && bin=$BEFORE
    one $tool push-touch1 "$WORK/mod/push-$tool" $bin $A $EXTRA "$SRC/" "$URL/push-$tool/"
    diff -rq "$SRC" "$WORK/mod/push-$tool" >/dev/null
    linked "$WORK/mod/push-$tool"
  done
done

echo "== median run by wall time: scenario tool wall_s cpu_s peak_rss_kib first_data_ms user_s sys_s"
sort -k1,1 -k2,2 -k3,3n "$OUT/million.txt" | awk -v runs="$RUNS" '
  { key = $1 " " $2; n[key]++; if (n[key] == int((runs + 1) / 2)) print }'
