#!/usr/bin/env bash
# Installs what an operator needs for `mrsync daemon`: the binary (NativeAOT publish), the systemd units, an
# example /etc/mrsyncd.conf (the backup module of the README's main job, only if none exists), a logrotate snippet,
# and the "rsync" system user the units run as. Run as root from the repository: packaging/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet publish src/ManagedRsync.Cli -c Release -o "$out" -nologo -v q
install -m 755 "$out/mrsync" "$prefix/bin/mrsync"

getent group rsync >/dev/null || groupadd --system rsync
getent passwd rsync >/dev/null || useradd --system --gid rsync --home-dir /backup --shell /usr/sbin/nologin rsync

sed "s#/usr/local/bin/mrsync#$prefix/bin/mrsync#" packaging/mrsyncd.service > /etc/systemd/system/mrsyncd.service
sed "s#/usr/local/bin/mrsync#$prefix/bin/mrsync#" packaging/mrsyncd@.service > /etc/systemd/system/mrsyncd@.service
install -m 644 packaging/mrsyncd.socket /etc/systemd/system/mrsyncd.socket
[ -e /etc/mrsyncd.conf ] || install -m 644 packaging/rsyncd.conf.example /etc/mrsyncd.conf
[ -d /etc/logrotate.d ] && install -m 644 packaging/mrsyncd.logrotate /etc/logrotate.d/mrsyncd
if [ -f packaging/mrsync.1 ]; then
  install -d "$prefix/share/man/man1" && install -m 644 packaging/mrsync.1 "$prefix/share/man/man1/mrsync.1"
fi
for d in /backup /nfsbackup; do install -d -o rsync -g rsync -m 755 "$d"; done
touch /var/log/mrsyncd.log && chown rsync:rsync /var/log/mrsyncd.log
command -v systemctl >/dev/null && systemctl daemon-reload || true
echo "installed: $prefix/bin/mrsync, /etc/mrsyncd.conf, units mrsyncd.service / mrsyncd.socket"
echo "next: put 'rsync_backup:PASSWORD' in /etc/rsync.password (chmod 600, chown rsync), then: systemctl enable --now mrsyncd.service"
