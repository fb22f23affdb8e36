#!/usr/bin/env bash
# Runs AFL++ over the decoders (FuzzTargets.cs) for a bounded time each and keeps what it finds.
#   tests/ManagedRsync.Fuzz/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
# FUZZ_JOBS=N runs N targets at a time (default 1); FUZZ_WORK is where the build and the findings go (default
# /tmp/mrsync-fuzz); FUZZ_NO_BUILD=1 reuses the instrumented build already in FUZZ_WORK/bin.
# Needs afl++ (Debian: apt-get install afl++) and the SharpFuzz instrumenter (dotnet tool install -g
# SharpFuzz.CommandLine); installs both when missing and running as root. A crash or hang input is copied to
# corpus/TARGET/crash-<sha1> (replayed by CorpusReplayTests from then on); a summary line per target says how many
# executions ran and what was found (fuzzer_stats). Exit 1 when anything was found. Triage a finding with the unit
# tests (CorpusReplayTests name the exception), not with the instrumented binary of this script: outside afl-fuzz its
# coverage hooks have no shared memory and every input fails with a NullReferenceException.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
seconds=${1:-60}
shift || true
work=${FUZZ_WORK:-/tmp/mrsync-fuzz}
mkdir -p "$work"

if ! command -v afl-fuzz >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "fuzz.sh: afl-fuzz missing (apt-get install afl++)" >&2; exit 2; }
  apt-get install -y afl++ >/dev/null
fi
export PATH="$PATH:$HOME/.dotnet/tools"
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine >/dev/null
fi

# A plain Release publish (no ReadyToRun, no trimming) so that SharpFuzz can rewrite the assemblies' IL in place.
if [ "${FUZZ_NO_BUILD:-0}" != 1 ]; then
  rm -rf "$work/bin"
  dotnet publish "$here/ManagedRsync.Fuzz.csproj" -c Release -o "$work/bin" --nologo -v q >/dev/null
  # The library and the CLI's assembly (the option parser of the "options" target).
  sharpfuzz "$work/bin/ManagedRsync.dll" >/dev/null
  sharpfuzz "$work/bin/mrsync.dll" >/dev/null
fi

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=($(ls "$here/corpus"))

# AFL checks that its target binary is instrumented natively; a .NET host is not, SharpFuzz reports coverage itself.
# With more targets at a time than free cores, afl-fuzz must not insist on a core of its own.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
jobs=${FUZZ_JOBS:-1}

# One target: fuzz it, keep its crashes and hangs in the corpus, write its summary line to $work/TARGET.summary.
fuzz_target() {
  local t=$1 out="$work/findings/$1" seeds="$work/seeds/$1" started ended n=0 execs paths load
  rm -rf "$out"; mkdir -p "$work/findings"
  # AFL wants small seeds: keep the corpus inputs under 64 KiB (the large whole-file token streams add nothing).
  rm -rf "$seeds"; mkdir -p "$seeds"
  find "$here/corpus/$t" -type f -size -64k -exec cp {} "$seeds/" \;
  started=$(date +%s)
  afl-fuzz -i "$seeds" -o "$out" -V "$seconds" -t 5000 -m none -- "$work/bin/ManagedRsync.Fuzz" "$t" >"$work/$t.log" 2>&1 || true
  ended=$(date +%s)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  local stats="$out/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /, "", $2); print $2}' "$stats" 2>/dev/null || echo 0)
  paths=$(awk -F: '/^corpus_count/ {gsub(/ /, "", $2); print $2}' "$stats" 2>/dev/null || echo 0)
  for f in "$out"/default/crashes/id:* "$out"/default/hangs/id:*; do
    [ -e "$f" ] || continue
    cp "$f" "$here/corpus/$t/crash-$(sha1sum "$f" | cut -c1-16)"
    n=$((n + 1))
  done
  echo "$t: ${seconds}s asked, $((ended - started))s wall, $execs executions, $paths corpus entries, $n crashes/hangs, load at end $load" \
    | tee "$work/$t.summary"
}

for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  fuzz_target "$t" &
done
wait
found=0
for t in "${targets[@]}"; do
  n=$(sed -n 's/.* \([0-9]*\) crashes\/hangs.*/\1/p' "$work/$t.summary" 2>/dev/null || true)
  found=$((found + ${n:-0}))
done
[ $found -eq 0 ]
