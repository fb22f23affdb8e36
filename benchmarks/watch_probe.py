#!/usr/bin/env python3
"""Measurement side of benchmarks/watch-compare.sh: writes into SRC and polls the replica DST.

  latency N   write N single files (one at a time, 4 KiB each, a pause between them) and print the
              event-to-replica latency of each (ms): time from close() of the source file to the moment
              the replica has the file with its full size.
  burst N [D] create D directories (default 100), then N files spread over them, and print the seconds from the first
              mkdir until all N are on the replica, then the seconds the writer itself took (polled every 10 ms: a stat of
              the last file written, then a count of all).
  mkdirs N    create N directories under SRC/tree (for the watch-setup measurement).
"""
import os, sys, time

def wait_for(path, size, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.stat(path).st_size == size:
                return True
        except FileNotFoundError:
            pass
        time.sleep(0.0005)
    return False

def latency(src, dst, n):
    os.makedirs(os.path.join(src, "lat"), exist_ok=True)
    if not wait_for_dir(os.path.join(dst, "lat"), 60):
        sys.exit("replica never got the lat/ directory")
    out = []
    payload = os.urandom(4096)
    for i in range(n):
        name = f"lat/f{i:05d}"
        with open(os.path.join(src, name), "wb") as f:
            f.write(payload)
        t0 = time.monotonic()
        if not wait_for(os.path.join(dst, name), len(payload), 30):
            out.append(float("inf"))
        else:
            out.append((time.monotonic() - t0) * 1000)
        time.sleep(0.05)
    for v in out:
        print(f"{v:.2f}")

def wait_for_dir(path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.isdir(path):
            return True
        time.sleep(0.005)
    return False

def count(dst_root):
    n = 0
    for d in os.scandir(dst_root):
        if d.is_dir(follow_symlinks=False):
            n += sum(1 for e in os.scandir(d.path) if e.is_file(follow_symlinks=False) and not e.name.startswith("."))
    return n

def burst(src, dst, n, dirs=100, timeout=600):
    # `mkdir -p` of every directory, then the writes (issue 16's burst: 40,000 files in 400 directories)
    root = os.path.join(src, f"burst{n}")
    t0 = time.monotonic()
    for j in range(dirs):
        os.makedirs(os.path.join(root, f"d{j:03d}"))
    for i in range(n):
        with open(os.path.join(root, f"d{i % dirs:03d}", f"f{i:06d}"), "wb") as f:
            f.write(b"x" * 100)
    written = time.monotonic() - t0
    dst_root = os.path.join(dst, f"burst{n}")
    # Counting 40,000 entries takes tens of milliseconds of CPU, which the tools need for the last files: count only
    # once the last file written is there (a stat), then confirm that all of them are.
    last = os.path.join(dst_root, f"d{(n - 1) % dirs:03d}", f"f{n - 1:06d}")
    while time.monotonic() - t0 < timeout:
        try:
            if os.path.exists(last) and count(dst_root) >= n:
                print(f"{time.monotonic() - t0:.3f} {written:.3f}")
                return
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    print(f"timeout {written:.3f}")

def mkdirs(src, n):
    root = os.path.join(src, "tree")
    per = 1000
    for i in range(n):
        if i % per == 0:
            top = os.path.join(root, f"t{i // per:04d}")
            os.makedirs(top)
        else:
            os.mkdir(os.path.join(top, f"d{i % per:04d}"))

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "latency":
        latency(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif mode == "burst":
        burst(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 100)
    elif mode == "mkdirs":
        mkdirs(sys.argv[2], int(sys.argv[3]))

def session_usage(sid):
    """CPU seconds (own + reaped children) and RSS (KiB) of every process in a session."""
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = 0
    rss = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[3]) != sid:  # field 6: session
                continue
            cpu += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    print(f"{cpu / ticks:.2f} {rss}")

if __name__ == "__main__" and sys.argv[1] == "usage":
    session_usage(int(sys.argv[2]))
