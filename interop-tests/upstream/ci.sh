#!/usr/bin/env bash
# CI's run of rsync 3.5.0's own testsuite with mrsync serving the daemon side (issue 13): stock rsync as the client and
# the NativeAOT mrsync as the peer (`--rsync-bin2`), over TCP (`--use-tcp`) and through stock's default pipe
# (RSYNC_CONNECT_PROG), each run held to its committed ledger (expect/stock-mrsync.{tcp,pipe}.txt): it fails when an
# outcome changes, a lost pass or a new one alike. The NativeAOT build, because the ledgers' chroot tests need it
# (a JIT-compiled mrsync refuses a chrooted module at start: README).
#   interop-tests/upstream/ci.sh        (as root: the ledgers were recorded as root, and some tests skip otherwise)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."

need=()
for tool in gcc make autoconf aclocal; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq gcc make autoconf automake
fi

python3 "$here/test_ledger.py"

# The unmodified upstream tree sits beside the project (../shared/upstream), or where MRSYNC_UPSTREAM_TARBALL says.
if [ -z "${MRSYNC_UPSTREAM_TARBALL:-}" ]; then
  for t in "$PWD/../shared/upstream/rsync-3.5.0.tar.gz" /work/shared/upstream/rsync-3.5.0.tar.gz; do
    if [ -f "$t" ]; then export MRSYNC_UPSTREAM_TARBALL=$t; break; fi
  done
fi
[ -f "${MRSYNC_UPSTREAM_TARBALL:-}" ] || {
  echo "ci.sh: rsync 3.5.0's source tarball is not on this machine (looked in ../shared/upstream and /work/shared/upstream; set MRSYNC_UPSTREAM_TARBALL): the upstream testsuite cannot run" >&2
  exit 1
}

bin=$(mktemp -d /tmp/mrsync-upstream-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
dotnet publish src/ManagedRsync.Cli -c Release -o "$bin" -v quiet -nologo >/dev/null
status=0
"$here/run-upstream.sh" --rsync-bin2 "$bin/mrsync" || status=1
"$here/run-upstream.sh" --rsync-bin2 "$bin/mrsync" --transport pipe || status=1
exit $status
