#!/usr/bin/env python3
"""Prints "PASSED FAILED OUTCOME" for one TRX (VSTest result) file, read from its ResultSummary, not console text.

Exit status 2 when the file is missing or is not a TRX the test platform finished writing: CI must count that as a
failure, never as "0 failed".
"""
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"


def main(path: str) -> int:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"unreadable result file {path}: {e}", file=sys.stderr)
        return 2
    summary = root.find(f"{NS}ResultSummary")
    counters = summary.find(f"{NS}Counters") if summary is not None else None
    if counters is None:
        print(f"{path} has no ResultSummary/Counters: the test run did not finish", file=sys.stderr)
        return 2
    passed = int(counters.get("passed", "0"))
    # "error", "timeout" and "aborted" results are failures too: a test that did not pass did not pass.
    failed = sum(int(counters.get(k, "0")) for k in ("failed", "error", "timeout", "aborted"))
    outcome = summary.get("outcome", "unknown")
    # The test platform records a crashed or hang-killed host as run-level messages, not as a failed test.
    for info in summary.iter(f"{NS}RunInfo"):
        if info.get("outcome") == "Error":
            text = info.findtext(f"{NS}Text") or ""
            print(f"{path}: {text.strip()}", file=sys.stderr)
    print(passed, failed, outcome)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
