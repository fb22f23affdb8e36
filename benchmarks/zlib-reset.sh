#!/usr/bin/env bash
# Issue 16's zlib per-file cost: publishes benchmarks/ZlibReset (NativeAOT, the same statically linked zlib-ng as
# mrsync) and prints the microseconds per file of a fresh DeflateStream (what mrsync does), of zlib-ng's deflateReset
# (what a reset would cost), and of one stream never reset (a floor that rsync's wire format does not allow).
#   benchmarks/zlib-reset.sh [FILES] [BYTES-PER-FILE] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/ZlibReset"
out=${OUT:-/tmp/zlib-reset-probe}
dotnet publish -c Release -o "$out" >/dev/null
"$out/ZlibReset" "$@"
