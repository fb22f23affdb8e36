# Sourced by the side-by-side benchmark scripts (push-compare.sh, local-compare.sh, before-after.sh): what each of them
# needs before its scenarios, written once.

# bench_setup NAME: checks for hyperfine and rsync, makes WORK (removed on exit with any dirs in CLEAN_ALSO, and the
# daemon in DAEMON_PID killed), makes OUT, sets RSYNC.
bench_setup() {
  command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)"; exit 1; }
  command -v rsync >/dev/null || { echo "stock rsync is required"; exit 1; }
  # BENCH_TMP: where the trees go (default /tmp), e.g. a freshly made file system: ext4 slows creating files for a
  # while after millions were deleted (a million-file run's cleanup), whichever tool comes first.
  WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/$1.XXXXXX")
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
  launch_daemon rsync "$WORK/rsyncd.conf"
  DAEMON_PID=$LAUNCHED_PID
  URL="rsync://127.0.0.1:$PORT/bench"
}

# launch_daemon PROGRAM CONFIG: `PROGRAM --daemon --no-detach` (stock rsync or mrsync) with CONFIG on a free loopback
# port, waited for until it accepts. Sets PORT and LAUNCHED_PID.
launch_daemon() {
  local program=$1 config=$2
  LAUNCHED_PID=
  for _ in $(seq 20); do
    PORT=$(( (RANDOM % 40000) + 20000 ))
    ss -ltn | grep -q ":$PORT " && continue
    "$program" --daemon --no-detach --address 127.0.0.1 --port "$PORT" --config "$config" &
    LAUNCHED_PID=$!
    for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.05; done
    kill -0 "$LAUNCHED_PID" 2>/dev/null && break
    LAUNCHED_PID=
  done
  [ -n "$LAUNCHED_PID" ] || { echo "could not start $program --daemon"; exit 1; }
}

# start_sshd: a throwaway OpenSSH server on a free loopback port (as the interop tests' SshdFixture: its own host and
# client keys, the client key authorized for this user, no ssh configuration of the machine read). Sets SSH_PORT,
# SSHD_PID (killed on exit with the daemon: add it to DAEMON_PID's trap through SSHD_PID) and RSH, the -e command.
start_sshd() {
  [ -x /usr/sbin/sshd ] || { echo "OpenSSH's server is required (apt-get install openssh-server)"; exit 1; }
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/host_key"
  ssh-keygen -q -t ed25519 -N "" -f "$WORK/client_key"
  cp "$WORK/client_key.pub" "$WORK/authorized_keys"
  mkdir -p /run/sshd 2>/dev/null || true
  SSHD_PID=
  for _ in $(seq 20); do
    SSH_PORT=$(( (RANDOM % 40000) + 20000 ))
    ss -ltn | grep -q ":$SSH_PORT " && continue
    cat > "$WORK/sshd_config" <<CONF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_key
PidFile $WORK/sshd.pid
AuthorizedKeysFile $WORK/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
PermitRootLogin prohibit-password
StrictModes no
PrintMotd no
UseDNS no
MaxStartups 64:30:128
LogLevel ERROR
CONF
    /usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>>"$WORK/sshd.log" &
    SSHD_PID=$!
    for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$SSH_PORT) 2>/dev/null && break; sleep 0.05; done
    kill -0 "$SSHD_PID" 2>/dev/null && break
    SSHD_PID=
  done
  [ -n "$SSHD_PID" ] || { echo "could not start sshd:"; cat "$WORK/sshd.log"; exit 1; }
  echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1-2 "$WORK/host_key.pub")" > "$WORK/known_hosts"
  RSH="ssh -F /dev/null -p $SSH_PORT -i $WORK/client_key -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=$WORK/known_hosts -o GlobalKnownHostsFile=/dev/null -o LogLevel=ERROR"
}
