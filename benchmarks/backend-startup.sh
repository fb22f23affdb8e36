#!/usr/bin/env bash
# Startup time and memory of the watch event sources on a tree of many directories:
#   mrsync inotifywait -m -r --backend fanotify   (one FAN_MARK_FILESYSTEM mark)
#   mrsync inotifywait -m -r --backend inotify    (one inotify watch per directory)
#   lsyncd 2.2.3 (default.rsync, one inotify watch per directory; its startup rsync is not counted)
#
#   benchmarks/backend-startup.sh            as root (fanotify's file-system mark needs CAP_SYS_ADMIN)
#
#   MRSYNC=path/to/mrsync   the NativeAOT binary (dotnet publish src/ManagedRsync.Cli -c Release -o DIR)
#   SIZES="100000 1000000"  directories in the tree (1000 per parent directory)
#   TOOLS="fanotify inotify lsyncd"
#   BASE=/var/tmp           where the trees are made (their file system is the one fanotify marks)
#
# Startup: from the exec to "Watches established." on stderr (mrsync), or to lsyncd's inotify descriptor holding one
# watch per directory (counted in /proc/PID/fdinfo). RSS: VmRSS of the process at that moment. The kernel memory the
# watches pin (inotify: one mark per directory, each pinning its inode) is not in RSS; it is shown as the growth of
# Slab in /proc/meminfo across the start (noisy on a shared machine). Each tool starts with a dropped dentry/inode
# cache (echo 2 > /proc/sys/vm/drop_caches) so they all walk a cold tree, and again warm (second run).
set -euo pipefail
MRSYNC=${MRSYNC:-mrsync}
SIZES=${SIZES:-"100000 1000000"}
TOOLS=${TOOLS:-"fanotify inotify lsyncd"}
BASE=${BASE:-/var/tmp}
[ "$(id -u)" = 0 ] || { echo "run as root: fanotify's file-system mark needs CAP_SYS_ADMIN" >&2; exit 1; }
saved_watches=$(cat /proc/sys/fs/inotify/max_user_watches)
WORK=$(mktemp -d "$BASE/backend-startup.XXXXXX")
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  echo "$saved_watches" > /proc/sys/fs/inotify/max_user_watches
  rm -rf "$WORK"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
slab_kib() { awk '/^Slab:/ {print $2}' /proc/meminfo; }

make_tree() { # $1 = directories (1000 per parent)
  local n=$1 dir=$WORK/tree-$1
  mkdir -p "$dir"
  python3 - "$dir" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 1000
for i in range((n + per - 1) // per):
    top = os.path.join(root, f"d{i:04d}")
    os.mkdir(top)
    for j in range(min(per, n - i * per) - 1):
        os.mkdir(os.path.join(top, f"s{j:03d}"))
PY
  echo "$dir"
}

# mrsync inotifywait: time to "Watches established."; prints "ms rss_kib slab_kib"
run_mrsync() { # $1 backend, $2 tree
  local err=$WORK/err.$1 t0 slab0
  : > "$err"
  slab0=$(slab_kib)
  t0=$(now_ms)
  "$MRSYNC" inotifywait -m -r --backend "$1" -e create "$2" > /dev/null 2> "$err" &
  pid=$!
  until grep -q "Watches established" "$err"; do
    kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; exit 1; }
    sleep 0.005
  done
  echo "$(( $(now_ms) - t0 )) $(rss_kib "$pid") $(( $(slab_kib) - slab0 )) $(grep -m1 '^Using' "$err" || true)"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

inotify_watches() { # watches on the inotify descriptors of process $1 (fdinfo: one "inotify wd:" line per watch)
  cat /proc/"$1"/fdinfo/* 2>/dev/null | grep -c '^inotify wd:' || true
}

run_lsyncd() { # $1 tree, $2 directories
  local conf=$WORK/lsyncd.conf t0 slab0
  mkdir -p "$WORK/lsyncd-dst"
  cat > "$conf" <<CONF
settings { nodaemon = true, logfile = "$WORK/lsyncd.log", statusFile = "$WORK/lsyncd.status", maxProcesses = 1 }
sync { default.rsync, source = "$1", target = "$WORK/lsyncd-dst", delay = 0,
       rsync = { binary = "/bin/true" } }
CONF
  slab0=$(slab_kib)
  t0=$(now_ms)
  lsyncd "$conf" > /dev/null 2>&1 &
  pid=$!
  # lsyncd adds one watch per directory, the root included
  until [ "$(inotify_watches "$pid")" -ge "$2" ]; do
    kill -0 "$pid" 2>/dev/null || { cat "$WORK/lsyncd.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "$(( $(now_ms) - t0 )) $(rss_kib "$pid") $(( $(slab_kib) - slab0 ))"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

echo 4000000 > /proc/sys/fs/inotify/max_user_watches
echo "kernel $(uname -r); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); tree on $(df -T "$BASE" | awk 'NR==2 {print $2}')"
for n in $SIZES; do
  tree=$(make_tree "$n")
  dirs=$(( $(find "$tree" -type d | wc -l) ))
  echo "== $dirs directories ($tree)"
  for tool in $TOOLS; do
    for cache in cold warm; do
      [ "$cache" = cold ] && { sync; echo 2 > /proc/sys/vm/drop_caches; }
      case $tool in
        fanotify|inotify) r=$(run_mrsync "$tool" "$tree") ;;
        lsyncd) r=$(run_lsyncd "$tree" "$dirs") ;;
      esac
      set -- $r
      printf '%-9s %-5s startup %7s ms  RSS %7s KiB  slab +%s KiB  %s\n' "$tool" "$cache" "$1" "$2" "$3" "${*:4}"
    done
  done
  rm -rf "$tree"
done
