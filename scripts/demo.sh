#!/usr/bin/env bash
# Runs mrsync against an embedded default: `mrsync daemon` started here on a free loopback port with a throw-away
# config (one module with auth, one without), then stopped. Needs only the .NET 10 SDK.
#   scripts/demo.sh            the daemon is mrsync's own (mrsync daemon --no-detach)
#   scripts/demo.sh --stock    the daemon is stock `rsync --daemon` (needs stock rsync installed)
# MRSYNC=/path/to/mrsync uses a given binary (e.g. the NativeAOT one) instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."

daemon=mrsync
[ "${1:-}" = "--stock" ] && daemon=stock
if [ $daemon = stock ]; then
  command -v rsync >/dev/null || { echo "demo: --stock needs stock rsync (apt-get install -y rsync)" >&2; exit 1; }
fi
if [ -z "${MRSYNC:-}" ]; then
  dotnet build src/ManagedRsync.Cli -c Release -nologo -v q >/dev/null
  MRSYNC=src/ManagedRsync.Cli/bin/Release/net10.0/linux-x64/mrsync
fi

work=$(mktemp -d /tmp/mrsync-demo.XXXXXX)
daemon_pid=
cleanup() { [ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# A free port in 20000-60000 on 127.0.0.1.
while :; do
  port=$((20000 + RANDOM % 40000))
  (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || break
done

mkdir -p "$work/data" "$work/public" "$work/src/sub"
echo "demo:demo-password" > "$work/secrets"; chmod 600 "$work/secrets"
echo "demo-password" > "$work/password"; chmod 600 "$work/password"
echo "hello from mrsync" > "$work/src/hello.txt"; echo "nested" > "$work/src/sub/nested.txt"
cat > "$work/rsyncd.conf" <<CONF
pid file = $work/rsyncd.pid
log file = $work/rsyncd.log
use chroot = no
munge symlinks = no
reverse lookup = no
# Run the modules as whoever runs the demo: as root the daemon would otherwise switch to "nobody", who cannot write
# into this mode-700 temp directory (rsyncd.conf: uid/gid).
uid = $(id -u)
gid = $(id -g)
[data]
    path = $work/data
    comment = read-write, auth user demo
    read only = no
    auth users = demo
    secrets file = $work/secrets
[public]
    path = $work/public
    comment = anonymous, read-only
CONF
if [ $daemon = stock ]; then
  rsync --daemon --no-detach --config "$work/rsyncd.conf" --port "$port" --address 127.0.0.1 &
else
  "$MRSYNC" daemon --no-detach --config "$work/rsyncd.conf" --port "$port" --address 127.0.0.1 &
fi
daemon_pid=$!
echo "daemon: $daemon on 127.0.0.1:$port"
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done

run() { echo "\$ $*"; "$@" || echo "(exit code $?)"; echo; }

run "$MRSYNC" --version
run "$MRSYNC" "rsync://127.0.0.1:$port/"
run "$MRSYNC" --port "$port" 127.0.0.1::
# The main job: replicate a tree into the authenticated module, then let stock rsync show what arrived.
run "$MRSYNC" -av --password-file "$work/password" "$work/src/" "rsync://demo@127.0.0.1:$port/data/"
if command -v rsync >/dev/null; then
  run env RSYNC_PASSWORD=demo-password rsync -r --list-only "rsync://demo@127.0.0.1:$port/data/"
else
  run env RSYNC_PASSWORD=demo-password "$MRSYNC" -r --list-only "rsync://demo@127.0.0.1:$port/data/"
fi
# The restore: pull the module back into an empty directory with mrsync and compare it with the source.
run "$MRSYNC" -av --password-file "$work/password" "rsync://demo@127.0.0.1:$port/data/" "$work/restore/"
run diff -r "$work/src" "$work/restore"
run env RSYNC_PASSWORD=wrong "$MRSYNC" "rsync://demo@127.0.0.1:$port/data/"
