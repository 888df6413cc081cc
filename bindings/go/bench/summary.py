"""Median, min and max of each sub-benchmark of `go test -bench -count N`
output (wall ns/op and cpu-ns/op, both per row), and toonstore's rate
relative to bbolt per workload, from the medians.

    python3 summary.py bench-output.txt
"""

import re
import statistics
import sys
from collections import defaultdict

LINE = re.compile(r"^Benchmark(\w+)/(\w+)-\d+\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) cpu-ns/op)?")


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):.1f} ({min(xs):.1f}-{max(xs):.1f})"


def main(path: str) -> None:
    wall: dict[tuple[str, str], list[float]] = defaultdict(list)
    cpu: dict[tuple[str, str], list[float]] = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = LINE.match(line)
            if m:
                wall[(m.group(1), m.group(2))].append(float(m.group(3)))
                if m.group(4):
                    cpu[(m.group(1), m.group(2))].append(float(m.group(4)))
    if not wall:
        sys.exit("no benchmark lines in " + path)
    print()
    print("| workload | store | runs | wall ns/row: median (min-max) | rows/s (median wall) "
          "| CPU ns/row: median (min-max) | rows/s (median CPU) |")
    print("|---|---|---|---|---|---|---|")
    for key, ns in wall.items():
        c = cpu.get(key, [])
        cpu_cols = f"{spread(c)} | {1e9 / statistics.median(c):,.0f}" if c else "- | -"
        print(f"| {key[0]} | {key[1]} | {len(ns)} | {spread(ns)} | {1e9 / statistics.median(ns):,.0f} | {cpu_cols} |")
    print()
    for op in dict.fromkeys(op for op, _ in wall):
        parts = []
        for name, table in (("wall", wall), ("CPU", cpu)):
            t, b = table.get((op, "toonstore")), table.get((op, "bbolt"))
            if t and b:
                r = statistics.median(b) / statistics.median(t)
                parts.append(f"{name} {r:.2f}x ({'ahead' if r > 1 else 'behind'})")
        print(f"{op}: toonstore's rate / bbolt's: " + ", ".join(parts))


if __name__ == "__main__":
    main(sys.argv[1])
