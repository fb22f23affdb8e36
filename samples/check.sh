#!/usr/bin/env bash
# Packs the library into a local feed (artifacts/feed), builds the samples from that package, and runs
# PushWithProgress against a stock `rsync --daemon` started on a free loopback port, checking that the tree arrived.
# .ci/run calls it; it fails on the first step that fails. Needs stock rsync and the .NET 10 SDK.
set -euo pipefail
cd "$(dirname "$0")/.."

feed=artifacts/feed
rm -rf "$feed"
# ContinuousIntegrationBuild: deterministic paths (/_/) in the PDB, as a release would be built.
dotnet pack src/ManagedRsync -c Release -o "$feed" -p:ContinuousIntegrationBuild=true -nologo
ls "$feed"/ManagedRsync.*.nupkg "$feed"/ManagedRsync.*.snupkg >/dev/null

# The global package cache keeps a version once restored; drop ours so the sample gets the package just packed.
rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/managedrsync"
dotnet build samples/PushWithProgress -c Release -nologo
sample=samples/PushWithProgress/bin/Release/net10.0/PushWithProgress.dll

work=$(mktemp -d /tmp/mrsync-sample.XXXXXX)
daemon_pid=
cleanup() { if [ -n "$daemon_pid" ]; then kill "$daemon_pid" 2>/dev/null || true; wait "$daemon_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
while :; do
  port=$((20000 + RANDOM % 40000))
  (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || break
done
mkdir -p "$work/module" "$work/src/sub"
echo "sample:sample-password" > "$work/secrets"; chmod 600 "$work/secrets"
head -c 300000 /dev/urandom > "$work/src/big.bin"
echo "hello" > "$work/src/hello.txt"; echo "nested" > "$work/src/sub/nested.txt"
echo "stale" > "$work/module/stale.txt"   # the sample pushes with --delete: this must go
cat > "$work/rsyncd.conf" <<CONF
pid file = $work/rsyncd.pid
use chroot = no
reverse lookup = no
uid = $(id -u)
gid = $(id -g)
[m]
    path = $work/module
    read only = no
    auth users = sample
    secrets file = $work/secrets
CONF
rsync --daemon --no-detach --config "$work/rsyncd.conf" --port "$port" --address 127.0.0.1 --log-file "$work/rsyncd.log" &
daemon_pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done

out=$(RSYNC_PASSWORD=sample-password dotnet "$sample" "$work/src/" "rsync://sample@127.0.0.1:$port/m/")
echo "$out"
diff -r "$work/src" "$work/module"
grep -q 'big.bin' <<<"$out" || { echo "samples: PushWithProgress printed no progress for big.bin" >&2; exit 1; }
echo "samples: PushWithProgress pushed the tree and reported its progress"
