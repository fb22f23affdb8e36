#!/usr/bin/env bash
# The daemon side (issue 13): stock rsync 3.5.0 as the client both times, pushing into and pulling from
# `rsync --daemon` and `mrsync daemon`, side by side with hyperfine in one run. Both daemons read the same rsyncd.conf
# text (their own log file each) and serve the same module directory, so only the serving program differs.
#   1. push of 10,000 small files into an empty module directory
#   2. push of a 256 MiB file with 64 scattered 4 KiB edits over the old copy (delta)
#   3. pull of the 10,000 small files into an empty directory
#   4. pull of the 256 MiB file over the old copy (delta)
#   5. CLIENTS concurrent clients (default 50), each pulling a 200-file tree (4 KiB files) into its own directory: the
#      wall time of the whole wave.
# Before them, on the freshly started daemons, the memory each needs to serve CLIENTS clients at once (see memory()).
# After them, where the time of scenarios 1-4 goes (daemon_cpu.py): wall time, the stock client's own CPU and each
# daemon's CPU (its connections' processes included), the daemons alternating run by run; and the lower bound, stock
# client's CPU over stock's wall time, below which no daemon can bring the ratio.
# As root everything (the data, the module, the pulled copies) lives on a tmpfs mounted on the work directory
# (TMPFS=0: not), so that a run does not pay for the kernel's writeback of the runs before it: session 12's 256 MiB
# delta rows on ext4 took 0.5-9.9 s for one daemon by run order alone.
# Usage: [MRSYNC=path/to/mrsync] [CLIENTS=N] [TMPFS=0] benchmarks/daemon-compare.sh [RUNS]   (default 5; results in
#   $OUT, default /tmp/mrsync-daemon-bench; without MRSYNC the script publishes one from this checkout)
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/bench_common.sh
RUNS=${1:-5}
CLIENTS=${CLIENTS:-50}
OUT=${OUT:-/tmp/mrsync-daemon-bench}
bench_setup mrsync-daemon-bench
TMPFS=${TMPFS:-$([ "$(id -u)" = 0 ] && echo 1 || echo 0)}
trap 'for p in ${DAEMON_PID:-} ${MDAEMON_PID:-}; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; if [ "$TMPFS" = 1 ]; then umount "$WORK" 2>/dev/null || true; fi; rm -rf "$WORK" $CLEAN_ALSO' EXIT
bench_publish MRSYNC
if [ "$TMPFS" = 1 ]; then
  # The published binary (when the script made it) is copied out first: the mount hides what WORK held.
  if [[ "$MRSYNC" == "$WORK"/* ]]; then cp "$MRSYNC" /tmp/mrsync-daemon-bench.bin.$$; MRSYNC=/tmp/mrsync-daemon-bench.bin.$$; CLEAN_ALSO=$MRSYNC; fi
  mount -t tmpfs -o size=12g tmpfs "$WORK"
fi
echo "== file system of the module: $(stat -f -c %T "$WORK"), load average $(cut -d' ' -f1-3 /proc/loadavg)"

bench_data
MOD="$WORK/mod"
LOCAL="$WORK/local"
mkdir -p "$MOD" "$LOCAL/trash"
start_stock_daemon "$MOD"
STOCK="$URL"

# mrsync daemon: the stock daemon's config with its own log file, on another free port.
sed "s|^log file = .*|log file = $WORK/mrsyncd.log|" "$WORK/rsyncd.conf" > "$WORK/mrsyncd.conf"
launch_daemon "$MRSYNC" "$WORK/mrsyncd.conf"
MDAEMON_PID=$LAUNCHED_PID
MPORT=$PORT
OURS="rsync://127.0.0.1:$MPORT/bench"

echo "== memory: $CLIENTS concurrent clients on the freshly started daemons"
# First, while both daemons are fresh: a long-running daemon's heap keeps what earlier connections touched.
python3 - "$MOD/wave" <<'PY'
import os, random, sys
rng = random.Random(2)
for d in range(10):
    os.makedirs(os.path.join(sys.argv[1], f"d{d}"), exist_ok=True)
    for f in range(20):
        with open(os.path.join(sys.argv[1], f"d{d}", f"f{f:02}"), "wb") as h:
            h.write(rng.randbytes(4096))
PY
# memory PID URL NAME: the daemon's PSS (proportional set size: pages its forked children share with it are counted
# once) summed over PID and all its descendants, idle, then at its peak while CLIENTS clients push the 200-file tree at
# once into URL/NAME-i/ (the seed's case: many file servers backing up into one daemon), each held open for about 4 s
# by --bwlimit=200 (the client's sender is paced: io.c), so every connection is alive at the same time; sampled every
# 20 ms. Prints the rest of one table row.
memory() {
  python3 - "$1" "$CLIENTS" "$RSYNC" "$MOD/wave/" "$2/$3" <<'PY'
import os, subprocess, sys, time
root, clients, rsync, src, dest = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
def tree_pss():
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            kids.setdefault(ppid, []).append(int(entry))
    total, todo, count = 0, [root], 0
    while todo:
        p = todo.pop()
        count += 1
        todo.extend(kids.get(p, []))
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total, count
idle, _ = tree_pss()
procs = [subprocess.Popen([rsync, "-a", "--bwlimit=200", src, f"{dest}-{i}/"]) for i in range(clients)]
peak, most = idle, 1
while any(p.poll() is None for p in procs):
    pss, count = tree_pss()
    peak, most = max(peak, pss), max(most, count)
    time.sleep(0.02)
if any(p.returncode for p in procs):
    sys.exit(f"a client failed: {[p.returncode for p in procs]}")
print(f"| {idle} | {peak} | {most} | {(peak - idle) // clients} | {peak // clients} |")
PY
}
{
  echo "| daemon | idle PSS (KiB) | peak PSS, $CLIENTS clients (KiB) | most processes | growth per connection (KiB) | peak per connection (KiB) |"
  echo "| --- | --- | --- | --- | --- | --- |"
  echo -n "| rsync --daemon "; memory "$DAEMON_PID" "$STOCK" stock-memory
  echo -n "| mrsync daemon "; memory "$MDAEMON_PID" "$OURS" mrsync-memory
} > "$OUT/daemon-memory.md"

# run2 NAME PREPARE SUFFIX_OF_THE_COMMAND: the same stock client command against each daemon; @URL@ is the module.
run2() {
  local name=$1 prepare=$2 cmd=$3
  run "$name" --prepare "$prepare" -n "rsync --daemon" "${cmd//@URL@/$STOCK}" -n "mrsync daemon" "${cmd//@URL@/$OURS}"
}

echo "== 1. push 10,000 small files"
# Moved aside, not deleted, as in the pull below: after `rm -rf` of 10,000 files ext4's inode allocator scans past
# the recently deleted inodes for each new file (recently_deleted, find_inode_bit), which cost either daemon up to
# 10 s a push in this session's runs, whichever daemon came after a delete.
mkdir -p "$MOD/trash"
run2 daemon-push-small "if [ -d $MOD/small ]; then mv $MOD/small $MOD/trash/\$(date +%s%N); fi" "$RSYNC -a $WORK/small/ @URL@/small/"
diff -r "$WORK/small" "$MOD/small"

echo "== 2. push a 256 MiB file with 64 scattered 4 KiB edits (delta)"
mkdir -p "$MOD/big"
run2 daemon-push-delta "cp -p $WORK/big-old/data.bin $MOD/big/data.bin" "$RSYNC -a $WORK/big-new/ @URL@/big/"
cmp "$WORK/big-new/data.bin" "$MOD/big/data.bin"

echo "== 3. pull 10,000 small files"
# The previous copy is moved aside, not deleted (pull-compare.sh: ext4's recently-deleted inode scan otherwise
# dominates creating 10,000 files just after deleting 10,000).
run2 daemon-pull-small "if [ -d $LOCAL/small ]; then mv $LOCAL/small $LOCAL/trash/\$(date +%s%N); fi" \
  "$RSYNC -a @URL@/small/ $LOCAL/small/"
diff -r "$WORK/small" "$LOCAL/small"

echo "== 4. pull the 256 MiB file over the old copy (delta)"
mkdir -p "$LOCAL/big"
run2 daemon-pull-delta "cp -p $WORK/big-old/data.bin $LOCAL/big/data.bin" "$RSYNC -a @URL@/big/ $LOCAL/big/"
cmp "$WORK/big-new/data.bin" "$LOCAL/big/data.bin"

echo "== 5. $CLIENTS concurrent clients, each pulling 200 files"
cat > "$WORK/wave.sh" <<WAVE
#!/usr/bin/env bash
# wave.sh URL: $CLIENTS stock clients at once, each into its own fresh directory; fails if any fails.
set -e
dest=\$(mktemp -d "$LOCAL/trash/wave.XXXXXX")
pids=()
for i in \$(seq $CLIENTS); do "$RSYNC" -a "\$1/wave/" "\$dest/\$i/" & pids+=(\$!); done
for p in "\${pids[@]}"; do wait "\$p"; done
WAVE
chmod +x "$WORK/wave.sh"
run daemon-wave -n "rsync --daemon" "$WORK/wave.sh $STOCK" -n "mrsync daemon" "$WORK/wave.sh $OURS"

echo "== where the time goes: wall, stock client's CPU, daemon's CPU"
python3 benchmarks/daemon_cpu.py "$RUNS" "$OUT/daemon-cpu.md" "rsync --daemon=$DAEMON_PID=$STOCK" "mrsync daemon=$MDAEMON_PID=$OURS" \
  "push 10,000 small files=if [ -d $MOD/small ]; then mv $MOD/small $MOD/trash/\$(date +%s%N); fi=$RSYNC -a $WORK/small/ @URL@/small/" \
  "push 256 MiB delta=cp -p $WORK/big-old/data.bin $MOD/big/data.bin=$RSYNC -a $WORK/big-new/ @URL@/big/" \
  "pull 10,000 small files=if [ -d $LOCAL/small ]; then mv $LOCAL/small $LOCAL/trash/\$(date +%s%N); fi=$RSYNC -a @URL@/small/ $LOCAL/small/" \
  "pull 256 MiB delta=cp -p $WORK/big-old/data.bin $LOCAL/big/data.bin=$RSYNC -a @URL@/big/ $LOCAL/big/"
cmp "$WORK/big-new/data.bin" "$LOCAL/big/data.bin"
diff -r "$WORK/small" "$LOCAL/small"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), rsync $(rsync --version | head -1 | awk '{print $3}')"
cat "$OUT"/daemon-*.md
