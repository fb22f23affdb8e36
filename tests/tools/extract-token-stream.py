#!/usr/bin/env python3
"""Finds the token stream of the single transferred file in the bytes one rsync process sent to the other.

Test-only and independent of ManagedRsync's code: the bytes are demultiplexed (4-byte MSG headers, tag 7+type in
the top byte, rsync io.c), the sender's echo of the sum header (count, blength, s2length, remainder as int32,
rsync sender.c: write_sum_head) marks the start and the whole-file MD5 of the new file (--checksum-choice=md5)
marks the end.
usage: extract-token-stream.py CAPTURE BASIS_LEN BLOCK_LEN NEW_FILE OUT
"""
import hashlib, struct, sys

cap, basis_len, blen, new_file, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
raw = open(cap, "rb").read()

def demux(start):
    data, p = bytearray(), start
    while p < len(raw):
        if p + 4 > len(raw):
            return None
        hdr = struct.unpack_from("<I", raw, p)[0]
        tag, n = (hdr >> 24) - 7, hdr & 0xffffff
        if tag < 0 or tag > 110 or p + 4 + n > len(raw):
            return None
        if tag == 0:
            data += raw[p + 4:p + 4 + n]
        p += 4 + n
    return bytes(data)

# The multiplexed part starts where a chain of valid frames runs exactly to the end of the capture.
for start in range(0, min(len(raw), 4096)):
    stream = demux(start)
    if stream is not None and len(stream) > 0:
        break
else:
    sys.exit("no multiplexed stream found")

if basis_len:
    count = (basis_len + blen - 1) // blen
    rem = basis_len % blen
else:
    count, blen, rem = 0, 0, 0
begin = -1
for p in range(len(stream) - 16):
    c, b, s2, r = struct.unpack_from("<iiii", stream, p)
    if c == count and b == blen and r == rem and 0 <= s2 <= 16:
        begin = p + 16
        break
if begin < 0:
    sys.exit("sum header not found")
digest = hashlib.md5(open(new_file, "rb").read()).digest()
end = stream.find(digest, begin)
if end < 0:
    sys.exit("whole-file md5 not found")
open(out, "wb").write(stream[begin:end])
