#!/usr/bin/env bash
# mrsync signature/delta/patch beside librsync's rdiff on the same 256 MiB files: time (hyperfine), delta sizes and
# peak RSS (/usr/bin/time -v). Uses the NativeAOT mrsync:
#   dotnet publish src/ManagedRsync.Cli -c Release -o /tmp/mrsync-delta && benchmarks/rdiff-compare.sh
# Environment: MRSYNC (default /tmp/mrsync-delta/mrsync), SIZE_MIB (default 256), RUNS (default 3), WORK (scratch dir).
set -euo pipefail
MRSYNC=${MRSYNC:-/tmp/mrsync-delta/mrsync}
SIZE_MIB=${SIZE_MIB:-256}
RUNS=${RUNS:-3}
WORK=${WORK:-$(mktemp -d /tmp/rdiff-compare.XXXXXX)}
trap 'rm -rf "$WORK"' EXIT
for tool in "$MRSYNC" rdiff hyperfine /usr/bin/time python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
cd "$WORK"

# Files: basis (random), identical, 1% clustered (one run), 1% scattered (1 KiB patches), unrelated (random).
python3 - "$SIZE_MIB" <<'PY'
import os, random, sys
size = int(sys.argv[1]) << 20
r = random.Random(1)
for name in ("basis", "unrelated"):
    with open(name, "wb") as f:
        for _ in range(size >> 20):
            f.write(r.randbytes(1 << 20))
basis = open("basis", "rb").read()
open("identical", "wb").write(basis)
b = bytearray(basis)
n = size // 100
at = size // 3
b[at:at + n] = r.randbytes(n)
open("clustered", "wb").write(b)
b = bytearray(basis)
for _ in range(n // 1024):
    at = r.randrange(size - 1024)
    b[at:at + 1024] = r.randbytes(1024)
open("scattered", "wb").write(b)
PY

echo "## mrsync vs rdiff, ${SIZE_MIB} MiB, $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p')"
echo "mrsync: $MRSYNC; $(rdiff --version | sed -n 1p)"
echo
hyperfine --runs "$RUNS" --export-markdown sig.md \
  -n "mrsync signature" "$MRSYNC signature basis basis.msig" \
  -n "rdiff signature" "rdiff -f signature basis basis.rsig" >/dev/null
cat sig.md; echo
"$MRSYNC" signature basis basis.msig
rdiff -f signature basis basis.rsig
echo "signature sizes: mrsync $(stat -c %s basis.msig) B, rdiff $(stat -c %s basis.rsig) B"
echo
for v in identical clustered scattered unrelated; do
  hyperfine --runs "$RUNS" --export-markdown "delta-$v.md" \
    -n "mrsync delta $v" "$MRSYNC delta basis.msig $v $v.mdelta" \
    -n "rdiff delta $v" "rdiff -f delta basis.rsig $v $v.rdelta" >/dev/null
  cat "delta-$v.md"; echo
done
echo "| file | mrsync delta bytes | rdiff delta bytes | mrsync peak RSS (delta) | rdiff peak RSS (delta) | mrsync patch ok |"
echo "|---|---|---|---|---|---|"
for v in identical clustered scattered unrelated; do
  m_rss=$(/usr/bin/time -v "$MRSYNC" delta basis.msig $v $v.mdelta 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
  r_rss=$(/usr/bin/time -v rdiff -f delta basis.rsig $v $v.rdelta 2>&1 >/dev/null | sed -n 's/.*Maximum resident set size (kbytes): //p')
  "$MRSYNC" patch basis $v.mdelta $v.out && cmp -s $v $v.out && ok=yes || ok=NO
  rm -f $v.out
  echo "| $v | $(stat -c %s $v.mdelta) | $(stat -c %s $v.rdelta) | $((m_rss / 1024)) MiB | $((r_rss / 1024)) MiB | $ok |"
done
echo
hyperfine --runs "$RUNS" --export-markdown patch.md \
  -n "mrsync patch scattered" "$MRSYNC patch basis scattered.mdelta out.m" \
  -n "rdiff patch scattered" "rdiff -f patch basis scattered.rdelta out.r" >/dev/null
cat patch.md
