# Sourced by the benchmark scripts that need a stock rsync daemon (push-compare.sh, before-after.sh).
# start_stock_daemon MODULE_DIR WORK: a writable module "bench" at MODULE_DIR (as root the daemon writes as root, so
# owners are kept), its config and log in WORK, on a free loopback port. Sets PORT, DAEMON_PID and URL; the caller's
# EXIT trap kills DAEMON_PID.
start_stock_daemon() {
  local mod=$1 work=$2
  {
    echo "use chroot = no"
    echo "munge symlinks = no"
    echo "log file = $work/rsyncd.log"
    if [ "$(id -u)" = 0 ]; then echo "uid = root"; echo "gid = root"; fi
    echo "[bench]"
    echo "path = $mod"
    echo "read only = no"
  } > "$work/rsyncd.conf"
  for _ in $(seq 20); do
    PORT=$(( (RANDOM % 40000) + 20000 ))
    ss -ltn | grep -q ":$PORT " && continue
    rsync --daemon --no-detach --address 127.0.0.1 --port "$PORT" --config "$work/rsyncd.conf" &
    DAEMON_PID=$!
    sleep 0.5
    kill -0 "$DAEMON_PID" 2>/dev/null && break
    DAEMON_PID=
  done
  [ -n "$DAEMON_PID" ] || { echo "could not start rsync --daemon"; exit 1; }
  URL="rsync://127.0.0.1:$PORT/bench"
}
