#!/usr/bin/env bash
# Runs stock rsync 3.5.0's own testsuite (runtests.py, the daemon tests) with a chosen client (--rsync-bin) and a
# chosen daemon-side peer (--rsync-bin2), and holds the outcome of every test to a committed expect ledger: the run
# fails only when an outcome differs from its ledger line (a new failure, or a new pass the ledger does not record).
#
#   interop-tests/upstream/run-upstream.sh [--rsync-bin PATH] [--rsync-bin2 PATH] [--transport tcp|pipe]
#       [--ledger FILE] [--update-ledger] [-j N] [--keep] [TEST-GLOB ...]
#
# Defaults: client and peer are the installed stock rsync (/usr/bin/rsync), transport tcp (runtests.py --use-tcp
# --daemon-tests-only: each daemon test starts a real rsyncd on 127.0.0.1), ledger expect/<client>-<peer>.<transport>.txt
# where client/peer are "stock" or "mrsync" (a binary whose --version does not say "rsync  version" is mrsync).
# --update-ledger rewrites the ledger from this run, keeping the "why" comment of every line whose outcome is unchanged.
# The upstream tree is unpacked and built once into $MRSYNC_UPSTREAM_CACHE (default ~/.cache/mrsync-upstream), keyed
# by the tarball's hash; each run gets its own scratch directory, so two runs (e.g. two engineers) do not collide.
#
# Build: ./configure --disable-md2man --with-included-popt --disable-xxhash --disable-zstd --disable-lz4
# (no library beyond zlib and openssl, both installed; needs gcc, make, autoconf, automake, python3). The build only
# provides the testsuite's helper programs (tls, trimslash, getgroups, ...) and config.h: the rsync under test is
# whichever binary --rsync-bin names.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tarball=${MRSYNC_UPSTREAM_TARBALL:-/work/shared/upstream/rsync-3.5.0.tar.gz}
cache=${MRSYNC_UPSTREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mrsync-upstream}

bin=/usr/bin/rsync
bin2=/usr/bin/rsync
transport=tcp
ledger=
update=0
jobs=2
keep=0
tests=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rsync-bin) bin=$2; shift 2 ;;
    --rsync-bin=*) bin=${1#*=}; shift ;;
    --rsync-bin2) bin2=$2; shift 2 ;;
    --rsync-bin2=*) bin2=${1#*=}; shift ;;
    --transport) transport=$2; shift 2 ;;
    --transport=*) transport=${1#*=}; shift ;;
    --ledger) ledger=$2; shift 2 ;;
    --ledger=*) ledger=${1#*=}; shift ;;
    --update-ledger) update=1; shift ;;
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-upstream.sh: unknown option $1" >&2; exit 2 ;;
    *) tests+=("$1"); shift ;;
  esac
done
case "$transport" in tcp|pipe) ;; *) echo "run-upstream.sh: --transport is tcp or pipe" >&2; exit 2 ;; esac
for b in "$bin" "$bin2"; do
  [ -x "$b" ] || { echo "run-upstream.sh: $b is not an executable file" >&2; exit 2; }
done
bin=$(readlink -f "$bin"); bin2=$(readlink -f "$bin2")

# (the whole --version output is read: head would SIGPIPE rsync under pipefail)
kind() { case "$("$1" --version 2>/dev/null | sed -n 1p)" in "rsync  version"*) echo stock ;; *) echo mrsync ;; esac; }
[ -n "$ledger" ] || ledger="$here/expect/$(kind "$bin")-$(kind "$bin2").$transport.txt"

# --- build once ------------------------------------------------------------------------------------------------
[ -f "$tarball" ] || { echo "run-upstream.sh: no upstream tarball at $tarball" >&2; exit 2; }
key=$(sha256sum "$tarball" | cut -c1-12)
build="$cache/rsync-3.5.0-$key"
if [ ! -f "$build/.built" ]; then
  for tool in gcc make autoconf aclocal python3; do
    command -v "$tool" >/dev/null || { echo "run-upstream.sh: building the testsuite needs $tool (apt-get install gcc make autoconf automake python3)" >&2; exit 2; }
  done
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/build.XXXXXX")
  echo "run-upstream.sh: building rsync 3.5.0's testsuite helpers in $build (once)" >&2
  tar xzf "$tarball" -C "$tmp" --strip-components=1
  (cd "$tmp" && ./configure --disable-md2man --with-included-popt --disable-xxhash --disable-zstd --disable-lz4 \
      >configure.log 2>&1 && make -j"$(nproc)" check-progs >make.log 2>&1) \
    || { echo "run-upstream.sh: build failed, logs in $tmp/configure.log and $tmp/make.log" >&2; exit 2; }
  touch "$tmp/.built"
  rm -rf "$build"
  mv "$tmp" "$build"
fi

# --- run -------------------------------------------------------------------------------------------------------
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mrsync-upstream.XXXXXX")
if [ "$keep" -eq 0 ]; then trap 'chmod -R u+rwX "$scratch" 2>/dev/null; rm -rf "$scratch"' EXIT; fi
args=(--rsync-bin "$bin" --rsync-bin2 "$bin2" --daemon-tests-only -j "$jobs" --tooldir "$build" --srcdir "$build")
[ "$transport" = tcp ] && args+=(--use-tcp)
echo "run-upstream.sh: client $bin, peer $bin2, transport $transport, ledger ${ledger#$repo/}, scratch $scratch" >&2
set +e
(cd "$build" && scratchbase="$scratch" python3 "$build/runtests.py" "${args[@]}" ${tests[@]+"${tests[@]}"}) \
  >"$scratch/runtests.out" 2>&1
set -e
grep -E '^(PASS|FAIL|SKIP|XFAIL|ERROR) ' "$scratch/runtests.out" >"$scratch/results.txt" || true
if [ ! -s "$scratch/results.txt" ]; then
  echo "run-upstream.sh: runtests.py reported no test; its output:" >&2
  cat "$scratch/runtests.out" >&2
  exit 2
fi

partial=0; [ ${#tests[@]} -gt 0 ] && partial=1
python3 "$here/ledger.py" --results "$scratch/results.txt" --ledger "$ledger" --update "$update" --partial "$partial" \
  --log "$scratch/runtests.out"
