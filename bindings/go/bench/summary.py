"""Median, min and max of each sub-benchmark of `go test -bench -count N`
output, and toonstore's ratio to bbolt per workload (from the medians).

    python3 summary.py bench-output.txt
"""

import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^Benchmark(\w+)/(\w+)-\d+\s+\d+\s+([\d.]+) ns/op")


def main(path: str) -> None:
    runs: dict[tuple[str, str], list[float]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                runs[(m.group(1), m.group(2))].append(float(m.group(3)))
    if not runs:
        sys.exit("no benchmark lines in " + path)
    print()
    print("| workload | store | runs | median ns/row | min | max | median rows/s |")
    print("|---|---|---|---|---|---|---|")
    medians = {}
    for (op, store), ns in runs.items():
        med = statistics.median(ns)
        medians[(op, store)] = med
        print(f"| {op} | {store} | {len(ns)} | {med:.1f} | {min(ns):.1f} | {max(ns):.1f} | {1e9 / med:,.0f} |")
    print()
    for op in dict.fromkeys(op for op, _ in runs):
        t, b = medians.get((op, "toonstore")), medians.get((op, "bbolt"))
        if t and b:
            print(f"{op}: toonstore {b / t:.2f}x bbolt's rate ({'ahead' if t < b else 'behind'})")


if __name__ == "__main__":
    main(sys.argv[1])
