#!/usr/bin/env bash
# Captures the token streams STOCK rsync sends, for the golden-vector tests of src/ManagedRsync/Delta/Tokens.
# For each codec (none zlib zlibx zstd lz4), protocol (30 31 32), data set (small, long, whole = no basis) and
# direction (push: the client is the sender; pull: the remote is the sender), one file is transferred through a
# remote-shell wrapper that tees both directions; extract-token-stream.py cuts the file's token stream out.
# Identical streams are stored once: manifest.txt maps every case (set codec protocol direction) to its file.
# usage: tests/tools/capture-token-vectors.sh [OUT_DIR]   (default tests/ManagedRsync.Tests/Vectors/Tokens)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../ManagedRsync.Tests/Vectors/Tokens}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 "$here/make-token-inputs.py" "$out"
cat > "$work/wrap.sh" <<'WRAP'
#!/usr/bin/env bash
shift # the host name
# exec: the remote rsync is the process the client waits for; the tees end with its pipes.
exec "$@" < <(tee "$CAP_DIR/to-remote.bin") > >(tee "$CAP_DIR/from-remote.bin")
WRAP
chmod +x "$work/wrap.sh"

{
  echo "# Captured by tests/tools/capture-token-vectors.sh on $(date -u +%Y-%m-%d)"
  rsync --version | awk 'NR == 1'
  echo "zlib $(dpkg-query -W -f='${Version}' zlib1g 2>/dev/null), zstd $(dpkg-query -W -f='${Version}' libzstd1 2>/dev/null), lz4 $(dpkg-query -W -f='${Version}' liblz4-1 2>/dev/null)"
} > "$out/README.txt"

for set in small long whole; do
  case $set in
    small) basis=small-basis.bin; new=small-new.bin; block=2048 ;;
    long)  basis=long-basis.bin;  new=long-new.bin;  block=100000 ;;
    whole) basis=;                new=small-new.bin; block=2048 ;;
  esac
  for codec in none zlib zlibx zstd lz4; do
    for proto in 30 31 32; do
      for dir in push pull; do
        c="$work/c"; rm -rf "$c"; mkdir -p "$c/src" "$c/dst"
        cp "$out/$new" "$c/src/f"
        [ -n "$basis" ] && cp "$out/$basis" "$c/dst/f"
        zopt=(-z --compress-choice=$codec)
        [ $codec = none ] && zopt=()
        opts=(-I --no-whole-file --protocol=$proto --checksum-choice=md5 --block-size=$block "${zopt[@]}")
        if [ $dir = push ]; then
          CAP_DIR=$c rsync "${opts[@]}" -e "$work/wrap.sh" "$c/src/f" "h:$c/dst/f"
          capture=$c/to-remote.bin
        else
          CAP_DIR=$c rsync "${opts[@]}" -e "$work/wrap.sh" "h:$c/src/f" "$c/dst/f"
          capture=$c/from-remote.bin
        fi
        cmp "$c/src/f" "$c/dst/f"
        basis_len=0; [ -n "$basis" ] && basis_len=$(stat -c %s "$out/$basis")
        python3 "$here/extract-token-stream.py" "$capture" "$basis_len" "$block" "$c/src/f" \
          "$work/$set-$codec-p$proto-$dir.tokens"
        echo "$set $codec $proto $dir" >> "$work/cases"
      done
    done
  done
done
# Store each distinct stream once, named after the first case that produced it.
rm -f "$out"/*.tokens
: > "$out/manifest.txt"
while read -r set codec proto dir; do
  f="$work/$set-$codec-p$proto-$dir.tokens"
  stored=
  for g in "$out"/*.tokens; do
    [ -e "$g" ] && cmp -s "$f" "$g" && { stored=$(basename "$g"); break; }
  done
  if [ -z "$stored" ]; then
    stored=$set-$codec-p$proto-$dir.tokens
    cp "$f" "$out/$stored"
  fi
  echo "$set $codec $proto $dir $stored" >> "$out/manifest.txt"
done < "$work/cases"
echo "vectors written to $out"
