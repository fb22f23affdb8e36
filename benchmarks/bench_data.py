"""The data of push-compare.sh and local-compare.sh: WORK/small (100 directories of 100 files of 1-8 KiB) and a
256 MiB file before (WORK/big-old/data.bin) and after (WORK/big-new/data.bin) 64 scattered 4 KiB edits.
Seeded, so every run and every script compares the same bytes. Usage: python3 bench_data.py WORK"""
import os, random, sys

work = sys.argv[1]
rng = random.Random(1)
small = os.path.join(work, "small")
for d in range(100):
    os.makedirs(os.path.join(small, f"dir{d:03}"), exist_ok=True)
    for f in range(100):
        with open(os.path.join(small, f"dir{d:03}", f"file{f:03}.txt"), "wb") as h:
            h.write(rng.randbytes(rng.randint(1024, 8192)))
big = os.path.join(work, "big-old"); os.makedirs(big)
data = bytearray(b"".join(rng.randbytes(1 << 20) for _ in range(256)))
with open(os.path.join(big, "data.bin"), "wb") as h: h.write(data)
for _ in range(64):
    at = rng.randrange(len(data) - 4096)
    data[at:at + 4096] = rng.randbytes(4096)
new = os.path.join(work, "big-new"); os.makedirs(new)
with open(os.path.join(new, "data.bin"), "wb") as h: h.write(data)
