#!/usr/bin/env bash
# Pull (restore) from a stock rsync daemon: stock rsync vs the published mrsync, side by side with hyperfine.
#   1. 10,000 small files into an empty directory
#   2. a 256 MiB file with scattered edits, restored over an old copy (delta)
# Usage: [MRSYNC=path/to/mrsync] [DEST=dir] benchmarks/pull-compare.sh [RUNS]
#   MRSYNC   the NativeAOT binary; when unset the script publishes one from this checkout
#   DEST     where the small-file copies go (default: the work directory); DEST=/dev/shm takes the destination file
#            system's inode allocation, noisy on a shared disk, out of the comparison
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
WORK=$(mktemp -d /tmp/pull-compare.XXXXXX)
PORT=$((20000 + RANDOM % 40000))
while ss -ltn | grep -q ":$PORT "; do PORT=$((20000 + RANDOM % 40000)); done
cleanup() { [ -n "${DAEMON:-}" ] && kill "$DAEMON" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
if [ -z "${MRSYNC:-}" ]; then
  echo "== publishing mrsync (NativeAOT)"
  dotnet publish src/ManagedRsync.Cli -c Release -o "$WORK/bin" -v quiet -nologo >/dev/null
  MRSYNC="$WORK/bin/mrsync"
fi

mkdir -p "$WORK/mod/small" "$WORK/mod/big"
python3 - "$WORK" <<'PY'
import os, random, sys
work = sys.argv[1]
r = random.Random(1)
for i in range(10_000):
    d = os.path.join(work, "mod/small", f"d{i // 100:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}"), "wb") as f:
        f.write(r.randbytes(r.randint(100, 4000)))
size = 256 << 20
data = bytearray(b"".join(r.randbytes(1 << 20) for _ in range(size >> 20)))
with open(os.path.join(work, "old.bin"), "wb") as f:
    f.write(data)
for _ in range(32):                       # scattered edits: 32 places of 4 KiB
    at = r.randrange(size - 4096)
    data[at:at + 4096] = r.randbytes(4096)
with open(os.path.join(work, "mod/big/big.bin"), "wb") as f:
    f.write(data)
PY

cat > "$WORK/rsyncd.conf" <<CONF
use chroot = no
[m]
    path = $WORK/mod
    read only = yes
    uid = $(id -un)
    gid = $(id -gn)
CONF
rsync --daemon --no-detach --port "$PORT" --address 127.0.0.1 --config "$WORK/rsyncd.conf" &
DAEMON=$!
sleep 0.5
URL="rsync://127.0.0.1:$PORT/m"

echo "== 10,000 small files into an empty directory"
# The previous copy is moved aside, not deleted: creating 10,000 inodes just after deleting 10,000 makes ext4 scan
# its recently deleted inodes on every allocation (fs/ext4/ialloc.c: recently_deleted), which dominated both tools'
# time and its noise.
DST=$(mktemp -d "${DEST:-$WORK}/pull-dst.XXXXXX")
trap 'cleanup; rm -rf "$DST"' EXIT
mkdir -p "$DST/trash"
hyperfine --runs "$RUNS" --export-markdown "$WORK/small.md" \
  --prepare "if [ -d $DST/dst-small ]; then mv $DST/dst-small $DST/trash/\$(date +%s%N); fi" \
  -n "rsync -a" "rsync -a $URL/small/ $DST/dst-small/" \
  -n "mrsync -a" "$MRSYNC -a $URL/small/ $DST/dst-small/"
diff -r "$WORK/mod/small" "$DST/dst-small"

echo "== 256 MiB file with scattered edits over an old copy"
hyperfine --runs "$RUNS" --export-markdown "$WORK/big.md" \
  --prepare "rm -rf $WORK/dst-big && mkdir -p $WORK/dst-big && cp $WORK/old.bin $WORK/dst-big/big.bin && touch -d 2001-01-01 $WORK/dst-big/big.bin" \
  -n "rsync -a" "rsync -a $URL/big/ $WORK/dst-big/" \
  -n "mrsync -a" "$MRSYNC -a $URL/big/ $WORK/dst-big/"
cmp "$WORK/mod/big/big.bin" "$WORK/dst-big/big.bin"

cat "$WORK/small.md" "$WORK/big.md"
