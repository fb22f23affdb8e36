#!/usr/bin/env bash
# Latency of `mrsync watch SRC/ USER@127.0.0.1:DST` over ssh, with and without an ssh master connection
# (ControlMaster/ControlPersist), against stock rsync's server on the far side.
#
#   MRSYNC=path/to/mrsync benchmarks/watch-ssh-latency.sh
#
#   LAT_N=100               single-file writes per run
#   MRSYNC_DELAY=10ms       mrsync watch --delay
#
# A throwaway OpenSSH server on a free loopback port with its own host and client keys (as the SshdFixture of the
# interop tests), so no ssh configuration of the machine is read. Each batch of the watch starts the remote shell once;
# without a master connection that is a full ssh handshake (key exchange, authentication) per batch, with one it is a
# new channel on the open connection. Latency is from close() of a 4 KiB file in SRC to the replica holding it
# (benchmarks/watch_probe.py latency); CPU is the watch's session (mrsync, its ssh processes, the master included).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
probe="python3 $here/watch_probe.py"
MRSYNC=${MRSYNC:-mrsync}
LAT_N=${LAT_N:-100}
MRSYNC_DELAY=${MRSYNC_DELAY:-10ms}
WORK=$(mktemp -d /tmp/watch-ssh.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

source "$here/bench_common.sh"
start_sshd
pids+=("$SSHD_PID")
rsh="$RSH"
master="-o ControlMaster=auto -o ControlPath=$WORK/cm-%r@%h:%p -o ControlPersist=60"

percentiles() { # file of numbers -> "p50 p99 max"
  sort -g "$1" | awk '{a[NR]=$1} END {i50=int(NR*0.50+0.5); i99=int(NR*0.99+0.5); if(i50<1)i50=1; if(i99<1)i99=1; printf "%.1f %.1f %.1f\n", a[i50], a[i99], a[NR]}'
}

echo "# watch-ssh-latency $(date -u +%FT%TZ) on $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(ssh -V 2>&1), $(rsync --version | head -1)"
for mode in plain master; do
  src="$WORK/src-$mode" dst="$WORK/dst-$mode"
  mkdir -p "$src" "$dst"
  e="$rsh"; [ $mode = master ] && e="$rsh $master"
  setsid "$MRSYNC" watch -a --delete --delay "$MRSYNC_DELAY" -e "$e" "$src/" "$(id -un)@127.0.0.1:$dst" 2>"$WORK/$mode.log" &
  SID=$!; pids+=($SID)
  until grep -q "batch full sync" "$WORK/$mode.log" 2>/dev/null; do sleep 0.05; done
  read -r cpu0 _ < <($probe usage "$SID")
  $probe latency "$src" "$dst" "$LAT_N" > "$WORK/lat-$mode"
  read -r cpu1 rss < <($probe usage "$SID")
  read -r p50 p99 max < <(percentiles "$WORK/lat-$mode")
  printf "ssh %-6s n=%d p50=%sms p99=%sms max=%sms cpu=%.2fs batches=%d\n" "$mode" "$LAT_N" "$p50" "$p99" "$max" \
    "$(echo "$cpu1 - $cpu0" | bc)" "$(grep -c ': batch ' "$WORK/$mode.log")"
  kill -- "-$SID" 2>/dev/null || true; wait "$SID" 2>/dev/null || true
  [ $mode = master ] && ssh -F /dev/null -o ControlPath="$WORK/cm-%r@%h:%p" -O exit -p "$SSH_PORT" 127.0.0.1 2>/dev/null || true
done
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
