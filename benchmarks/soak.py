#!/usr/bin/env python3
"""Soak test of `mrsync watch` (issue 15; not in CI): random file operations for a long time against a stock rsync
daemon, with daemon restarts and network cuts injected, and the replica checked against the source every minute.

    benchmarks/soak.py [--minutes 60] [--mrsync PATH] [--seed N] [--rate OPS_PER_S] [--rsync PATH]

The watcher reaches the daemon through a TCP proxy in this script, which can cut every connection and refuse new ones
for a while (a network cut: the watcher must retry and lose nothing). The daemon itself is killed and restarted on
the same port; a daemon that dies without the script stopping it (a signal from outside: on a shared machine another
process's `pkill rsync`) is counted as a fault of its own and restarted at once. Each minute the operations pause and the replica must converge (content, size, mode, mtime, symlink
targets) within --settle seconds. Prints one line per check and a summary; exit 1 if any check did not converge.
"""
import argparse
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CuttableProxy:
    """127.0.0.1:port -> the daemon; cut(seconds) drops every connection and refuses new ones meanwhile."""

    def __init__(self, target_port):
        self.target = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.refuse_until = 0.0
        self.live = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, seconds):
        self.refuse_until = time.time() + seconds
        with self.lock:
            for s in list(self.live):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.live.clear()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            if time.time() < self.refuse_until:
                client.close()
                continue
            try:
                server = socket.create_connection(("127.0.0.1", self.target), timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.live.update((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class StockDaemon:
    def __init__(self, work, module_dir, binary):
        self.binary = binary
        self.port = free_port()
        self.conf = os.path.join(work, "rsyncd.conf")
        secrets = os.path.join(work, "rsyncd.secrets")
        with open(secrets, "w") as f:
            f.write("rsync_backup:soak\n")
        os.chmod(secrets, 0o600)
        with open(self.conf, "w") as f:
            f.write(f"use chroot = no\nlog file = {work}/rsyncd.log\n[soak]\npath = {module_dir}\nread only = no\n"
                    f"uid = root\ngid = root\nmunge symlinks = no\nauth users = rsync_backup\nsecrets file = {secrets}\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([self.binary, "--daemon", "--no-detach", f"--port={self.port}", "--address=127.0.0.1",
                                      f"--config={self.conf}"])
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("stock daemon did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    def died(self):
        """True when the daemon ended although stop() was not called (and it was running)."""
        return self.proc is not None and self.proc.poll() is not None


class Operations:
    """Random creates, appends, renames, deletes, mkdir -p, chmod, symlinks and hard links under src."""

    def __init__(self, src, rng):
        self.src, self.rng, self.count = src, rng, 0
        self.kinds = {}

    def _paths(self, want_dir=None):
        out = []
        for d, dirs, files in os.walk(self.src):
            if want_dir in (None, True):
                out += [os.path.join(d, n) for n in dirs]
            if want_dir in (None, False):
                out += [os.path.join(d, n) for n in files]
        return out

    def _dir(self):
        dirs = [self.src] + self._paths(True)
        return self.rng.choice(dirs)

    def step(self):
        r = self.rng
        op = r.choice(["create"] * 5 + ["append"] * 3 + ["rename", "delete", "mkdirp", "chmod", "symlink",
                                                         "hardlink", "rmtree", "movedir"])
        try:
            if op == "create":
                with open(os.path.join(self._dir(), f"f{r.randrange(10**6)}"), "wb") as f:
                    f.write(r.randbytes(r.choice([0, 10, 1000, 40_000, 300_000])))
            elif op == "append":
                files = self._paths(False)
                if files:
                    with open(r.choice(files), "ab") as f:
                        f.write(r.randbytes(r.randrange(1, 5000)))
            elif op == "rename":
                files = self._paths(False)
                if files:
                    os.rename(r.choice(files), os.path.join(self._dir(), f"r{r.randrange(10**6)}"))
            elif op == "delete":
                files = self._paths(False)
                if files:
                    os.unlink(r.choice(files))
            elif op == "mkdirp":
                os.makedirs(os.path.join(self._dir(), *[f"d{r.randrange(100)}" for _ in range(r.randrange(1, 4))]),
                            exist_ok=True)
            elif op == "chmod":
                files = [p for p in self._paths(False) if not os.path.islink(p)]
                if files:
                    os.chmod(r.choice(files), r.choice([0o644, 0o600, 0o755, 0o640]))
            elif op == "symlink":
                # Targets that stay inside the tree: a daemon without chroot sanitizes "../x", "/x" and "./x" (stock
                # rsync's sanitize_paths), so those would differ by design, not by a lost change.
                os.symlink(r.choice(["target", "f1", "d1/x", "sub/f2"]), os.path.join(self._dir(), f"l{r.randrange(10**6)}"))
            elif op == "hardlink":
                files = [p for p in self._paths(False) if not os.path.islink(p)]
                if files:
                    os.link(r.choice(files), os.path.join(self._dir(), f"h{r.randrange(10**6)}"))
            elif op == "rmtree":
                dirs = self._paths(True)
                if len(dirs) > 20:
                    shutil.rmtree(r.choice(dirs))
            elif op == "movedir":
                dirs = self._paths(True)
                if dirs:
                    d = r.choice(dirs)
                    target = os.path.join(self.src, f"m{r.randrange(10**6)}")
                    if not target.startswith(d + os.sep):
                        os.rename(d, target)
        except (FileNotFoundError, FileExistsError, NotADirectoryError, IsADirectoryError, OSError):
            return  # raced with another operation on the same random path; the tree is still valid
        self.count += 1
        self.kinds[op] = self.kinds.get(op, 0) + 1


def snapshot(root):
    """What -a --delete must reproduce: every entry's type, and for files size, mode, mtime and content hash."""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, root)
            # The replica changes while it is read (the watcher is still pushing): an entry gone meanwhile is absent,
            # and the next round of the check reads it again.
            try:
                st = os.lstat(p)
                if os.path.islink(p):
                    out[rel] = ("l", os.readlink(p))
                elif os.path.isdir(p):
                    out[rel] = ("d", st.st_mode & 0o7777)
                else:
                    with open(p, "rb") as f:
                        digest = hashlib.sha1(f.read()).hexdigest()
                    out[rel] = ("f", st.st_size, st.st_mode & 0o7777, int(st.st_mtime), digest)
            except (FileNotFoundError, NotADirectoryError):
                continue
    return out


def differences(a, b):
    diff = [k for k in a.keys() | b.keys() if a.get(k) != b.get(k)]
    return sorted(diff)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--mrsync", default=None)
    ap.add_argument("--rsync", default="rsync", help="the stock rsync binary the daemon runs")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float, default=20, help="operations per second")
    ap.add_argument("--settle", type=float, default=60, help="seconds a check may wait for convergence")
    ap.add_argument("--cut-every", type=float, default=300)
    ap.add_argument("--restart-every", type=float, default=420)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="mrsync-soak-")
    src, module, state = (os.path.join(work, n) for n in ("src", "module", "state"))
    for d in (src, module, state):
        os.makedirs(d)
    mrsync = args.mrsync
    if mrsync is None:
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "src", "ManagedRsync.Cli"), "-c", "Release", "-o",
                        os.path.join(work, "bin"), "--nologo", "-v", "q"], check=True, stdout=subprocess.DEVNULL)
        mrsync = os.path.join(work, "bin", "mrsync")
    password = os.path.join(work, "password")
    with open(password, "w") as f:
        f.write("soak\n")
    os.chmod(password, 0o600)

    daemon = StockDaemon(work, module, args.rsync)
    daemon.start()
    proxy = CuttableProxy(daemon.port)
    log = open(os.path.join(work, "watch.log"), "w")
    watch = subprocess.Popen([mrsync, "watch", "-a", "--delete", f"--password-file={password}", f"--port={proxy.port}",
                              "--state-dir", state, src + "/", "rsync_backup@127.0.0.1::soak"],
                             stdout=log, stderr=subprocess.STDOUT)
    rng = random.Random(args.seed)
    ops = Operations(src, rng)
    faults = {"network cut": 0, "daemon restart": 0, "daemon killed from outside": 0}
    checks, failed = 0, 0
    start = time.time()
    next_check, next_cut, next_restart = start + 60, start + args.cut_every, start + args.restart_every
    try:
        while time.time() - start < args.minutes * 60:
            ops.step()
            time.sleep(1 / args.rate)
            now = time.time()
            if daemon.died():
                print(f"at {int(now - start)} s: the daemon ended by itself (exit {daemon.proc.returncode}); restarted",
                      flush=True)
                daemon.start()
                faults["daemon killed from outside"] += 1
            if now >= next_cut:
                proxy.cut(20)
                faults["network cut"] += 1
                next_cut += args.cut_every
            if now >= next_restart:
                daemon.stop()
                time.sleep(10)
                daemon.start()
                proxy.target = daemon.port
                faults["daemon restart"] += 1
                next_restart += args.restart_every
            if now >= next_check or time.time() - start >= args.minutes * 60:
                checks += 1
                t0 = time.time()
                want = snapshot(src)
                while True:
                    got = snapshot(module)
                    diff = differences(want, got)
                    if not diff or time.time() - t0 > args.settle:
                        break
                    time.sleep(0.5)
                took = time.time() - t0
                if diff:
                    failed += 1
                print(f"check {checks} at {int(now - start)} s: {ops.count} ops so far, {len(want)} entries, "
                      f"{'converged' if not diff else f'NOT converged ({len(diff)} differ, e.g. ' + '; '.join(f'{k}: source {want.get(k)} replica {got.get(k)}' for k in diff[:3]) + ')'} "
                      f"in {took:.1f} s", flush=True)
                next_check = time.time() + 60
    finally:
        watch.send_signal(signal.SIGTERM)
        watch.wait(timeout=60)
        daemon.stop()
        log.close()
    print(f"soak: {args.minutes:g} min, {ops.count} operations ({', '.join(f'{k} {v}' for k, v in sorted(ops.kinds.items()))}), "
          f"faults: {', '.join(f'{k} x{v}' for k, v in faults.items())}; {checks} checks, {failed} not converged; "
          f"watcher exit {watch.returncode}; log {work}/watch.log")
    if failed == 0:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
