#!/usr/bin/env python3
"""Writes the fuzz seeds of tests/ManagedRsync.Fuzz/corpus from streams STOCK rsync sends.

Stock rsync runs against itself through a remote-shell wrapper that tees what the remote end sends (the same trick as
tests/tools/capture-token-vectors.sh). From those captures:
  mux    the remote's stream from its first multiplexed frame on (rsync io.c: mplex frames), protocols 27-32;
  flist  the demultiplexed data of a pull (the server sender's file list first), with the target's header;
  sums   the generator's sum header and block sums of a --no-W push (found by their known header values);
  tokens the token streams of tests/ManagedRsync.Tests/Vectors/Tokens (already stock captures), with the header;
  greeting  the first line of `rsync --daemon` in inetd mode (a socket pair on its stdin).
Filter rules, --files-from lists, password files and rsyncd.conf files are hand-written cases of what users write.
The header bytes of each target are documented in FuzzTargets.cs.

usage: tests/ManagedRsync.Fuzz/seed_corpus.py [CORPUS_DIR]
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
TOKENS = os.path.join(HERE, "..", "ManagedRsync.Tests", "Vectors", "Tokens")
MPLEX_BASE = 7  # rsync io.h: MSG_DATA frames carry tag 7
PROTOCOLS = range(27, 33)
CODECS = ["none", "zlib", "zlibx", "lz4", "zstd"]

WRAP = """#!/usr/bin/env bash
shift # the host name
exec "$@" > >(tee "$CAP_DIR/from-remote.bin")
"""


def write(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frames_from(data, start):
    """The (tag, payload) frames from start, or None unless they tile the rest of the stream exactly."""
    frames, pos = [], start
    while pos < len(data):
        if pos + 4 > len(data):
            return None
        header = struct.unpack_from("<I", data, pos)[0]
        tag, length = header >> 24, header & 0xFFFFFF
        if tag < MPLEX_BASE or tag > MPLEX_BASE + 100 or pos + 4 + length > len(data):
            return None
        frames.append((tag - MPLEX_BASE, data[pos + 4:pos + 4 + length]))
        pos += 4 + length
    return frames if frames else None


def demultiplex(data):
    """Skips the raw setup bytes (protocol, compat flags, negotiated names, seed) to the first frame."""
    for start in range(4, min(len(data), 400)):
        frames = frames_from(data, start)
        if frames and frames[0][0] == 0:
            return start, b"".join(p for tag, p in frames if tag == 0)
    raise SystemExit("no multiplexed frames found in a capture")


def run(work, args):
    cap = os.path.join(work, "cap")
    shutil.rmtree(cap, ignore_errors=True)
    os.makedirs(cap)
    subprocess.run(["rsync", "-e", os.path.join(work, "wrap.sh")] + args, check=True,
                   env=dict(os.environ, CAP_DIR=cap), stdout=subprocess.DEVNULL)
    with open(os.path.join(cap, "from-remote.bin"), "rb") as f:
        return f.read()


def make_tree(root):
    os.makedirs(os.path.join(root, "dir", "sub"))
    for i, name in enumerate([b"a.txt", b"dir/b.bin", b"dir/sub/c", "dir/ünï".encode(), b"dir/\xff\xfe-latin1"]):
        with open(os.path.join(root.encode(), name), "wb") as f:
            f.write(bytes(range(256)) * (i + 1))
    os.symlink("a.txt", os.path.join(root, "link"))
    os.link(os.path.join(root, "a.txt"), os.path.join(root, "dir", "hard"))
    os.mkfifo(os.path.join(root, "fifo"))


def main():
    if os.path.isdir(OUT):
        # Keep committed crash regressions; only the seeds are rewritten.
        for target in os.listdir(OUT):
            for name in os.listdir(os.path.join(OUT, target)):
                if name.startswith("seed-"):
                    os.remove(os.path.join(OUT, target, name))
    work = tempfile.mkdtemp()
    try:
        with open(os.path.join(work, "wrap.sh"), "w") as f:
            f.write(WRAP)
        os.chmod(os.path.join(work, "wrap.sh"), 0o755)
        src = os.path.join(work, "src")
        make_tree(src)

        # flist + mux: pulls at every protocol, with the option bits the flist target's header names.
        for proto in PROTOCOLS:
            for bits, opts in [(0, ["-a"]), (1, ["-aH"]), (2, ["-ac"]), (4, ["-rlptD"]), (8, ["-a", "--numeric-ids"])]:
                dst = os.path.join(work, "dst")
                shutil.rmtree(dst, ignore_errors=True)
                data = run(work, opts + [f"--protocol={proto}", "h:" + src + "/", dst + "/"])
                start, plain = demultiplex(data)
                tag = "".join(o.strip("-") for o in opts).replace("=", "")
                write("mux", f"seed-p{proto}-{tag}", data[start:])
                write("flist", f"seed-p{proto}-{tag}", bytes([proto - 27, bits]) + plain)

        # sums: a --no-W push onto an older copy; the generator's sum header is count, blength, s2length, remainder.
        size = 200_000
        for proto in PROTOCOLS:
            for checksum, digest_selector in [("md5", 0), ("xxh64", 1), ("sha1", 2), ("md4", 0)]:
                if proto < 30 and checksum != "md4":
                    continue
                for d in ("s", "d"):
                    os.makedirs(os.path.join(work, d), exist_ok=True)
                with open(os.path.join(work, "s", "f"), "wb") as f:
                    f.write(bytes((i * 31) % 251 for i in range(size)))
                with open(os.path.join(work, "d", "f"), "wb") as f:
                    f.write(bytes((i * 31) % 253 for i in range(size)))
                extra = [] if proto < 30 else [f"--checksum-choice={checksum}"]
                data = run(work, ["-I", "--no-W", "--block-size=2048", f"--protocol={proto}"] + extra +
                           [os.path.join(work, "s", "f"), "h:" + os.path.join(work, "d", "f")])
                _, plain = demultiplex(data)
                count = (size + 2047) // 2048
                at = plain.find(struct.pack("<ii", count, 2048))
                if at < 0:
                    raise SystemExit(f"sum header not found (protocol {proto}, {checksum})")
                write("sums", f"seed-p{proto}-{checksum}", bytes([proto - 27, digest_selector]) + plain[at:])

        # tokens: stock's captured streams, every codec.
        for name in sorted(os.listdir(TOKENS)):
            if not name.endswith(".tokens"):
                continue
            _, codec, proto, _ = name[:-len(".tokens")].split("-")
            with open(os.path.join(TOKENS, name), "rb") as f:
                write("tokens", "seed-" + name, bytes([CODECS.index(codec), int(proto[1:]) - 27]) + f.read())

        # greeting: rsync --daemon in inetd mode says it on stdout before reading anything.
        conf = os.path.join(work, "rsyncd.conf")
        with open(conf, "w") as f:
            f.write(f"[m]\npath = {src}\n")
        # inetd mode needs a socket on stdin (a pipe would make rsync daemonize on port 873).
        ours, theirs = socket.socketpair()
        daemon = subprocess.Popen(["rsync", "--daemon", f"--config={conf}"], stdin=theirs, stdout=theirs)
        theirs.close()
        ours.settimeout(10)
        greeting = b""
        while not greeting.endswith(b"\n"):
            chunk = ours.recv(256)
            if not chunk:
                break
            greeting += chunk
        ours.close()
        daemon.wait(timeout=10)
        if not greeting.startswith(b"@RSYNCD: "):
            raise SystemExit(f"stock daemon greeting not read: {greeting!r}")
        write("greeting", "seed-stock", greeting)
        write("greeting", "seed-old", b"@RSYNCD: 29\n")
        write("greeting", "seed-sub", b"@RSYNCD: 31.0 md5 md4\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # Hand-written: what users and peers write.
    write("filter-rules", "seed-wire", bytes([0, 5]) + b"\0".join([
        b"- *.tmp", b"+ /dir/", b"- /dir/*", b"P keep", b"H .git", b"-! *.c", b"dir-merge .rsync-filter",
        b": .per-dir", b"- ,s /abs/", b"!", b"-/ x"]))
    write("filter-rules", "seed-filter", bytes([1, 5]) + b"\n".join([
        b"merge /etc/rules", b"dir-merge,- .excl", b"exclude,!  *.o", b"include **/", b"protect /p", b"clear",
        b"- [a-z]*[!0-9]?.log", b"+ ***/x***", b". file", b"-C", b"risk r", b"hide,r h", b"show s"]))
    write("filter-rules", "seed-exclude", bytes([2, 5]) + b"\n".join([
        b"*.swp", b"/tmp/", b"- leading", b"+ inc", b"cache/**", b"\\#escaped", b"**", b""]))
    write("files-from", "seed-lines", bytes([2]) + b"a.txt\n./dir/b\n/abs/path\n../up\n#comment\n;also\n\ndir/sub/\n")
    write("files-from", "seed-from0", bytes([3]) + b"a\0dir/../b\0/x/./y\0\0")
    write("files-from", "seed-crlf", bytes([0]) + b"one\r\ntwo\r\n")
    write("address", "seed-daemon", b"rsync_backup@backup::nfsbackup/sub/")
    write("address", "seed-url", b"rsync://user@[::1]:8730/module/path")
    write("address", "seed-port", b"rsync://host:873")
    write("address", "seed-shell", b"host:/path")
    write("options", "seed-seed-loop", b"\0".join([b"-az", b"--delete", b"/data/", b"rsync_backup@backup::nfsbackup",
                                                   b"--password-file=/etc/rsync.password"]))
    write("options", "seed-filters", b"\0".join([b"-avH", b"--exclude=*.tmp", b"-f", b"- x", b"--include", b"y",
                                                 b"--bwlimit=1.5M", b"--timeout=30", b"-e", b"ssh -p 22", b"src", b"dst"]))
    write("options", "seed-bundled", b"\0".join([b"-vvrltpgoDzc", b"--compress-choice=zstd", b"--checksum-choice=xxh3",
                                                 b"--no-o", b"--port=8730", b"--max-size=1.5G", b"a", b"b"]))
    write("password", "seed-plain", b"secret\n")
    write("password", "seed-leading-lines", b"\n\r\nsecret\r\nsecond\n")
    write("password", "seed-long", b"p" * 600 + b"\n")
    write("rsyncd.conf", "seed-modules", b"""# global
port = 8730
reverse lookup = no
use chroot = no
[backup]
    path = /srv/backup/
    read only = false
    auth users = rsync_backup:rw, @ops:ro
    secrets file = /etc/rsync.secrets
    hosts allow = 10.0.0.0/8 192.168.1.1
    max connections = 4
[global]
timeout = 600
[pub]
path = %HOME%/pub
comment = public \\
  files
refuse options = delete* checksum
""")
    write("rsyncd.conf", "seed-include", b"[a]\npath = /tmp\n&include conf.d\n&merge extra.conf\n[b/c]\n")
    write("rsyncd.conf", "seed-odd", b"\r\n;comment\n[ Mixed Case ]\nRead Only=yes\nno equals line\nlisten backlog = -3x\n"
          b"[global]\nunknown thing = 1\n[x\n")


if __name__ == "__main__":
    main()
