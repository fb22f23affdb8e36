#!/usr/bin/env python3
"""Helper of make-delta-vectors.sh: writes the data files, and extracts sums from captured stock-rsync streams."""
import random
import struct
import sys


def data(out):
    r = random.Random(7)
    open(f"{out}/f1.bin", "wb").write(bytes(r.randrange(256) for _ in range(2100)))
    open(f"{out}/f2.bin", "wb").write(bytes(r.randrange(256) for _ in range(1000)))
    # Mostly bytes >= 0x80, which are negative as rsync's signed chars.
    open(f"{out}/f3.bin", "wb").write(bytes(0x80 | r.randrange(256) if i % 5 else r.randrange(256) for i in range(20000)))


def extract(path, blength, cap_out, cap_in):
    length = len(open(path, "rb").read())
    blength = int(blength)
    count = (length + blength - 1) // blength
    rem = length % blength
    gen = open(cap_out, "rb").read()
    snd = open(cap_in, "rb").read()
    for s2 in range(0, 21):
        head = struct.pack("<iiii", count, blength, s2, rem)
        at = gen.find(head)
        if at >= 0:
            break
    else:
        raise SystemExit(f"sum header not found in {cap_out}")
    print(f"header {count} {blength} {s2} {rem}")
    at += 16
    for _ in range(count):
        (sum1,) = struct.unpack_from("<I", gen, at)
        print(f"block {sum1:08x} {gen[at + 4:at + 4 + s2].hex()}")
        at += 4 + s2
    tokens = b"".join(struct.pack("<i", -(i + 1)) for i in range(count)) + struct.pack("<i", 0)
    at = snd.find(tokens)
    if at < 0:
        raise SystemExit(f"match tokens not found in {cap_in}")
    at += len(tokens)
    # The longest digest (sha1, 20 bytes) is printed; shorter ones are its prefix and the test takes what it needs.
    print(f"filesum {snd[at:at + 20].hex()}")


if __name__ == "__main__":
    if sys.argv[1] == "data":
        data(sys.argv[2])
    else:
        extract(*sys.argv[2:])
