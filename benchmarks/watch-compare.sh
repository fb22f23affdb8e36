#!/usr/bin/env bash
# mrsync watch beside the seed's `inotifywait | while read; do rsync; done` loop and lsyncd (default.rsync),
# replicating to the same stock rsync daemon (or, with TARGET=local, to local directories).
#
#   benchmarks/watch-compare.sh [watches|latency|burst|all]
#
#   MRSYNC=path/to/mrsync   the NativeAOT binary (dotnet publish src/ManagedRsync.Cli -c Release -o DIR)
#   TARGET=daemon|local     daemon (default): a stock `rsync --daemon` on a free loopback port
#   LAT_N=200               single-file writes for the latency percentiles
#   BURSTS="10000 40000"    burst sizes (new files at once)
#   BURST_DIRS=400          directories of a burst, made first (mkdir -p), then the files spread over them
#   DIRS=100000             directories for the watch-setup and RSS measurement
#   LSYNCD_DELAY=0          lsyncd's delay (seconds; its default is 15)
#   MRSYNC_DELAY=20ms       mrsync watch --delay (quiet window; its default is 50ms)
#   MRSYNC_BACKEND=auto     mrsync watch --backend (auto: fanotify as root where the file system allows it)
#   TOOLS="seed lsyncd mrsync"
#   KEEP=DIR                copy the tools' logs (mrsync's batch lines) there at the end
#   WORK_ROOT=/tmp          where the source trees and replicas are made (/dev/shm: tmpfs, the file system's own cost out)
#
# Latency: time from close() of a 4 KiB file in SRC to the replica holding it at full size (polled every 0.5 ms).
# CPU: user+system seconds of the tool's whole session, children included (the seed loop's rsyncs, lsyncd's rsyncs),
# measured over the run of that phase. RSS: sum of VmRSS of the session's processes at the end of the phase.
# Bursts also print the writer's own time, the stock daemon's CPU over the burst, the load average before/after and,
# for mrsync, the pushes the burst took (its log's batch lines).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
probe="python3 $here/watch_probe.py"
MRSYNC=${MRSYNC:-mrsync}
TARGET=${TARGET:-daemon}
LAT_N=${LAT_N:-200}
BURSTS=${BURSTS:-"10000 40000"}
BURST_DIRS=${BURST_DIRS:-400}
DIRS=${DIRS:-100000}
LSYNCD_DELAY=${LSYNCD_DELAY:-0}
MRSYNC_DELAY=${MRSYNC_DELAY:-20ms}
MRSYNC_BACKEND=${MRSYNC_BACKEND:-auto}
TOOLS=${TOOLS:-"seed lsyncd mrsync"}
what=${1:-all}
WORK=$(mktemp -d "${WORK_ROOT:-/tmp}/watch-compare.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP"; cp "$WORK"/*.log "$WORK"/*.err "$KEEP"/ 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
  while :; do
    p=$((20000 + RANDOM % 40000))
    (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; return; }
  done
}

start_daemon() {
  PORT=$(free_port)
  mkdir -p "$WORK/dst-seed" "$WORK/dst-lsyncd" "$WORK/dst-mrsync"
  cat > "$WORK/rsyncd.conf" <<CONF
use chroot = false
read only = false
numeric ids = true
# run the modules as the caller (a root daemon would switch to nobody and fail to write)
uid = $(id -un)
gid = $(id -gn)
[seed]
path = $WORK/dst-seed
[lsyncd]
path = $WORK/dst-lsyncd
[mrsync]
path = $WORK/dst-mrsync
CONF
  setsid rsync --daemon --no-detach --port "$PORT" --address 127.0.0.1 --config "$WORK/rsyncd.conf" --log-file "$WORK/rsyncd.log" &
  pids+=($!); DAEMON_SID=$!
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && return; sleep 0.05; done
  echo "rsync daemon did not start" >&2; exit 1
}

dest_for() { # tool
  if [ "$TARGET" = daemon ]; then echo "rsync://127.0.0.1:$PORT/$1/"; else echo "$WORK/dst-$1/"; fi
}

# Starts a tool in its own session replicating $1 to its destination; sets SID.
start_tool() { # tool src
  local tool=$1 src=$2 dest
  dest=$(dest_for "$tool")
  rm -rf "$WORK/dst-$tool"; mkdir -p "$WORK/dst-$tool"
  case $tool in
    seed)
      # The seed's script (2.3.3), verbatim apart from paths: a full rsync per event line.
      setsid bash -c "inotifywait -mrq '$src' --format '%w%f' -e create,delete,moved_to,close_write | while read line; do rsync -az --delete '$src/' '$dest'; done" &
      ;;
    lsyncd)
      cat > "$WORK/lsyncd.lua" <<LUA
settings { nodaemon = true, logfile = "$WORK/lsyncd.log", insist = true }
sync { default.rsync, source = "$src", target = "$dest", delay = $LSYNCD_DELAY, rsync = { archive = true } }
LUA
      setsid lsyncd "$WORK/lsyncd.lua" >/dev/null 2>&1 &
      ;;
    mrsync)
      setsid "$MRSYNC" watch -a --delete --backend "$MRSYNC_BACKEND" --delay "$MRSYNC_DELAY" "$src/" "$dest" 2>"$WORK/mrsync.log" &
      ;;
  esac
  SID=$!
  pids+=($SID)
  # Ready when a warm-up file written after the start has reached the replica (the seed loop has no initial sync).
  local warm="$src/.warmup-$tool-$RANDOM"
  for _ in $(seq 600); do
    echo warm > "$warm"
    sleep 0.1
    [ -f "$WORK/dst-$tool/$(basename "$warm")" ] && break
  done
  rm -f "$warm"
  sleep 0.5
}

stop_tool() { kill -- "-$SID" 2>/dev/null || true; wait "$SID" 2>/dev/null || true; sleep 0.2; }

usage() { $probe usage "$SID"; }
# mrsync's batch log lines so far (pushes that succeeded); 0 for the other tools.
pushes() { if [ "$1" = mrsync ]; then grep -c ': batch ' "$WORK/mrsync.log" || true; else echo 0; fi; }
# The stock daemon's CPU (its reaped per-connection children included); 0 with TARGET=local.
daemon_usage() { if [ -n "${DAEMON_SID:-}" ]; then $probe usage "$DAEMON_SID"; else echo "0 0"; fi; }

percentiles() { # file of numbers -> "p50 p99 max"
  sort -g "$1" | awk '{a[NR]=$1} END {i50=int(NR*0.50+0.5); i99=int(NR*0.99+0.5); if(i50<1)i50=1; if(i99<1)i99=1; printf "%.1f %.1f %.1f\n", a[i50], a[i99], a[NR]}'
}

echo "# watch-compare $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r), target=$TARGET"
echo "# $(rsync --version | head -1); $(inotifywait --help 2>&1 | head -1); lsyncd $(lsyncd --version 2>&1 | awk '/Version/{print $2}'); mrsync $MRSYNC"
[ "$TARGET" = daemon ] && start_daemon

if [ "$what" = latency ] || [ "$what" = all ]; then
  for tool in $TOOLS; do
    src="$WORK/src-$tool"; rm -rf "$src"; mkdir -p "$src"
    start_tool "$tool" "$src"
    read -r cpu0 _ < <(usage)
    $probe latency "$src" "$WORK/dst-$tool" "$LAT_N" > "$WORK/lat-$tool"
    read -r cpu1 rss < <(usage)
    read -r p50 p99 max < <(percentiles "$WORK/lat-$tool")
    printf "latency %-7s n=%d p50=%sms p99=%sms max=%sms cpu=%.2fs rss=%dMiB\n" "$tool" "$LAT_N" "$p50" "$p99" "$max" "$(echo "$cpu1 - $cpu0" | bc)" $((rss / 1024))
    stop_tool
  done
fi

if [ "$what" = burst ] || [ "$what" = all ]; then
  for n in $BURSTS; do
    for tool in $TOOLS; do
      src="$WORK/src-$tool"; rm -rf "$src"; mkdir -p "$src"
      start_tool "$tool" "$src"
      read -r cpu0 _ < <(usage)
      read -r dcpu0 _ < <(daemon_usage)
      load0=$(cut -d' ' -f1 /proc/loadavg)
      pushes0=$(pushes "$tool")
      read -r secs wrote < <($probe burst "$src" "$WORK/dst-$tool" "$n" "$BURST_DIRS")
      read -r cpu1 rss < <(usage)
      read -r dcpu1 _ < <(daemon_usage)
      printf "burst   %-7s files=%d dirs=%d converged=%ss writer=%ss cpu=%.2fs daemon-cpu=%.2fs rss=%dMiB load=%s->%s%s\n" "$tool" "$n" "$BURST_DIRS" "$secs" "$wrote" \
        "$(echo "$cpu1 - $cpu0" | bc)" "$(echo "$dcpu1 - $dcpu0" | bc)" $((rss / 1024)) "$load0" "$(cut -d' ' -f1 /proc/loadavg)" \
        "$([ "$tool" = mrsync ] && echo " pushes=$(($(pushes mrsync) - pushes0))")"
      stop_tool
    done
  done
fi

if [ "$what" = watches ] || [ "$what" = all ]; then
  src="$WORK/src-tree"; mkdir -p "$src"
  $probe mkdirs "$src" "$DIRS"
  ndirs=$(find "$src" -type d | wc -l)
  for tool in inotifywait mrsync-inotifywait; do
    t0=$(date +%s.%N)
    if [ $tool = inotifywait ]; then cmd=(inotifywait -mr "$src"); else cmd=("$MRSYNC" inotifywait -mr "$src"); fi
    setsid "${cmd[@]}" >/dev/null 2>"$WORK/$tool.err" &
    SID=$!; pids+=($SID)
    until grep -q "Watches established" "$WORK/$tool.err" 2>/dev/null; do sleep 0.01; done
    t1=$(date +%s.%N)
    read -r cpu rss < <(usage)
    printf "watches %-18s dirs=%d setup=%.2fs cpu=%.2fs rss=%dMiB\n" "$tool" "$ndirs" "$(echo "$t1 - $t0" | bc)" "$cpu" $((rss / 1024))
    stop_tool
  done
  # mrsync watch itself: watches set (its own log line), then the initial full sync of the 100k directories to the
  # target, then the RSS of the service at rest.
  dest=$(dest_for mrsync); rm -rf "$WORK/dst-mrsync"; mkdir -p "$WORK/dst-mrsync"
  t0=$(date +%s.%N)
  setsid "$MRSYNC" watch -a --delete --backend "$MRSYNC_BACKEND" --delay "$MRSYNC_DELAY" "$src/" "$dest" 2>"$WORK/mrsync-watch.err" &
  SID=$!; pids+=($SID)
  until grep -q "directories in" "$WORK/mrsync-watch.err" 2>/dev/null; do sleep 0.01; done
  t1=$(date +%s.%N)
  read -r cpu rss < <(usage)
  printf "watches %-18s dirs=%d setup=%.2fs cpu=%.2fs rss=%dMiB (%s)\n" mrsync-watch "$ndirs" "$(echo "$t1 - $t0" | bc)" "$cpu" $((rss / 1024)) \
    "$(grep -o 'watching.*directories in [0-9]* ms' "$WORK/mrsync-watch.err")"
  until grep -q "batch full sync" "$WORK/mrsync-watch.err" 2>/dev/null; do sleep 0.05; done
  t2=$(date +%s.%N)
  sleep 1
  read -r cpu rss < <(usage)
  printf "watches %-18s after the initial full sync (%.1fs): cpu=%.2fs rss=%dMiB\n" mrsync-watch "$(echo "$t2 - $t1" | bc)" "$cpu" $((rss / 1024))
  stop_tool
fi
