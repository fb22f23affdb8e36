#!/usr/bin/env python3
"""Writes the deterministic input files for the token-stream golden vectors (see capture-token-vectors.sh).

Text-like content (compressible, but every line unique so that rsync's blocks match unambiguously):
  small-basis.bin / small-new.bin  ~160 KiB, used with --block-size=2048: edits, inserted literals that repeat
                                   recently matched text (so zlib's matched-data history is referenced).
  long-basis.bin / long-new.bin    200000 bytes, used with --block-size=100000: blocks longer than 64 KiB, the
                                   literals repeat text from the start and from the end of the preceding matched
                                   block (protocols < 31 keep the start in the deflate history, >= 31 the end).
"""
import random, sys, os

out = sys.argv[1]
words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec " \
        "romeo sierra tango uniform victor whiskey xray yankee zulu rsync token deflate window history block".split()

def text(rng, n, tag):
    parts, size, i = [], 0, 0
    while size < n:
        line = "%s %06d: %s\n" % (tag, i, " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))))
        parts.append(line.encode())
        size += len(line)
        i += 1
    return b"".join(parts)[:n]

rng = random.Random(20261126)
small_basis = text(rng, 160 * 1024, "basis")
lit = lambda n, tag: text(rng, n, tag)
small_new = (small_basis[:20000] + lit(3000, "new-a") + small_basis[18000:19500] + small_basis[20000:70000]
             + lit(5000, "new-b") + small_basis[71000:120000] + small_basis[60000:61000] + lit(200, "new-c")
             + small_basis[120000:] + lit(777, "tail"))

long_basis = text(rng, 200000, "long")
long_new = (long_basis[:100000]
            + lit(1500, "lit-1") + long_basis[5000:9000] + long_basis[90000:94000] + lit(500, "lit-2")
            + long_basis[100000:200000]
            + lit(700, "lit-3") + long_basis[101000:104000] + long_basis[195000:198000] + lit(300, "lit-4"))

for name, data in [("small-basis.bin", small_basis), ("small-new.bin", small_new),
                   ("long-basis.bin", long_basis), ("long-new.bin", long_new)]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
