# Sourced by the side-by-side benchmark scripts (push-compare.sh, local-compare.sh, before-after.sh): what each of them
# needs before its scenarios, written once.

# bench_setup NAME: checks for hyperfine and rsync, makes WORK (removed on exit with any dirs in CLEAN_ALSO, and the
# daemon in DAEMON_PID killed), makes OUT, sets RSYNC.
bench_setup() {
  command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }
  command -v rsync >/dev/null || { echo "stock rsync is required"; exit 1; }
  WORK=$(mktemp -d "/tmp/$1.XXXXXX")
  DAEMON_PID=
  CLEAN_ALSO=
  # The daemon is waited for before WORK goes: its last log line would otherwise recreate WORK/rsyncd.log mid-removal.
  trap 'if [ -n "$DAEMON_PID" ]; then kill "$DAEMON_PID" 2>/dev/null || true; wait "$DAEMON_PID" 2>/dev/null || true; fi; rm -rf "$WORK" $CLEAN_ALSO' EXIT
  mkdir -p "$OUT"
  RSYNC=$(command -v rsync)
}

# bench_publish VAR: when VAR names no binary, publishes the NativeAOT mrsync of this checkout and points VAR at it.
bench_publish() {
  if [ -z "${!1:-}" ]; then
    echo "== publishing mrsync (NativeAOT) from this checkout"
    dotnet publish src/ManagedRsync.Cli -c Release -o "$WORK/bin" -v quiet -nologo >/dev/null
    printf -v "$1" '%s' "$WORK/bin/mrsync"
  fi
}

# bench_data: bench_data.py's seeded tree and big file in WORK, the old big file dated in the past.
bench_data() {
  echo "== generating data"
  python3 benchmarks/bench_data.py "$WORK"
  touch -d '2020-01-01' "$WORK/big-old/data.bin"
}

# run NAME hyperfine-args...: one scenario, its markdown and JSON in OUT.
run() {
  local name=$1; shift
  hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$OUT/$name.md" --export-json "$OUT/$name.json" "$@"
}

# start_stock_daemon MODULE_DIR: a writable module "bench" at MODULE_DIR (as root the daemon writes as root, so
# owners are kept), its config and log in WORK, on a free loopback port. Sets PORT, DAEMON_PID and URL.
start_stock_daemon() {
  local mod=$1
  {
    echo "use chroot = no"
    echo "munge symlinks = no"
    echo "log file = $WORK/rsyncd.log"
    if [ "$(id -u)" = 0 ]; then echo "uid = root"; echo "gid = root"; fi
    echo "[bench]"
    echo "path = $mod"
    echo "read only = no"
  } > "$WORK/rsyncd.conf"
  for _ in $(seq 20); do
    PORT=$(( (RANDOM % 40000) + 20000 ))
    ss -ltn | grep -q ":$PORT " && continue
    rsync --daemon --no-detach --address 127.0.0.1 --port "$PORT" --config "$WORK/rsyncd.conf" &
    DAEMON_PID=$!
    sleep 0.5
    kill -0 "$DAEMON_PID" 2>/dev/null && break
    DAEMON_PID=
  done
  [ -n "$DAEMON_PID" ] || { echo "could not start rsync --daemon"; exit 1; }
  URL="rsync://127.0.0.1:$PORT/bench"
}
