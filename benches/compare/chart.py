#!/usr/bin/env python3
"""Chart and summary for the comparison harness (standard library only).

    python3 chart.py results.csv compare.svg [--markdown summary.md]

Reads the CSV written by `compare` and writes an SVG of grouped bars:
throughput per phase (ops/s, log scale), times to close / reopen / recover
(ms, log scale) and sizes (disk MiB, peak memory MiB, linear). With
--markdown it also writes the table of values, the ToonStore/peer ratios
and the issue 6 targets, each marked met or missed.
"""
import csv
import math
import sys
from xml.sax.saxutils import escape

ENGINES = ["toonstore", "lmdb", "sqlite", "rocksdb"]
COLORS = {
    "toonstore": "#d9480f",
    "lmdb": "#1c7ed6",
    "sqlite": "#2f9e44",
    "rocksdb": "#7048e8",
    "floor": "#868e96",
}
LABELS = {
    "put_batched": "put, batch of 1000\n(no fsync)",
    "put_single_nosync": "put, 1 commit\neach (no fsync)",
    "put_durable": "durable put\n(fsync, 1 thread)",
    "put_durable_mt8": "durable put\n(fsync, 8 threads)",
    "floor_overwrite_4k_fdatasync": "floor: 4K overwrite\n+ fdatasync",
    "floor_append_4k_fdatasync": "floor: 4K append\n+ fdatasync",
    "get_random": "random get\n(copy, verified)",
    "get_snapshot": "random get\n(zero-copy snapshot)",
    "get_random_mt2": "random get\n(2 threads)",
    "scan": "full scan\n(rows/s)",
    "delete_10pct": "delete 10%\n(1 commit each)",
    "close": "clean close",
    "reopen_first_get": "reopen to\nfirst get",
    "recover_kill9_first_get": "recover after\nkill -9 to first get",
    "disk_after_load": "disk after load",
    "disk_after_delete": "disk after delete",
    "peak_rss": "peak RSS\n(process)",
    "engine_rss": "RSS growth\n(engine)",
}
THROUGHPUT = ["put_batched", "put_single_nosync", "put_durable", "put_durable_mt8",
              "floor_overwrite_4k_fdatasync", "floor_append_4k_fdatasync",
              "get_random", "get_snapshot", "get_random_mt2", "scan", "delete_10pct"]
TIMES = ["close", "reopen_first_get", "recover_kill9_first_get"]
# per-operation latency (us): <pass>_<percentile>, from compare's latency passes
LAT_PASSES = [("lat_get", "get"), ("lat_put_nosync", "put, no fsync"), ("lat_put_durable", "put, durable")]
LAT_PCTS = ["p50", "p99", "p99.9", "p99.99", "max"]
LATENCY = [f"{p}_{q}" for p, _ in LAT_PASSES for q in LAT_PCTS]
for _p, _name in LAT_PASSES:
    for _q in LAT_PCTS:
        LABELS[f"{_p}_{_q}"] = f"{_name}\n{_q}"
SIZES = ["disk_after_load", "disk_after_delete", "peak_rss", "engine_rss"]


def load(path):
    data = {}
    rows = None
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            data.setdefault(r["phase"], {})[r["engine"]] = r
            rows = r.get("rows", rows)
    return data, rows


def fmt(v, unit):
    if unit in ("ms", "us"):
        return f"{v:.3g} {unit}" if v < 100 else f"{v:.0f} {unit}"
    if unit in ("MiB",):
        return f"{v:.0f}" if v >= 10 else f"{v:.1f}"
    for div, suf in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if v >= div:
            x = v / div
            return f"{x:.3g}{suf}"
    return f"{v:.3g}"


def panel(out, x0, y0, w, h, title, groups, data, unit, log, convert=lambda v, u: v):
    """grouped bars: groups = phase names present in data"""
    groups = [g for g in groups if g in data]
    if not groups:
        return
    vals = []
    for g in groups:
        for e, r in data[g].items():
            v = convert(float(r["value"]), r["unit"])
            if v > 0:
                vals.append(v)
    if not vals:
        return
    top = max(vals)
    if log:
        lo_exp = math.floor(math.log10(min(vals)))
        hi_exp = math.ceil(math.log10(top * 4))  # headroom for the value labels
        if hi_exp == lo_exp:
            hi_exp += 1
        def ypos(v):
            v = max(v, 10 ** lo_exp)
            return y0 + h - (math.log10(v) - lo_exp) / (hi_exp - lo_exp) * h
        ticks = [10 ** k for k in range(lo_exp, hi_exp + 1)]
    else:
        step = 10 ** math.floor(math.log10(top))
        for m in (1, 2, 5, 10):
            if top / (step * m) <= 6:
                step *= m
                break
        hi = math.ceil(top * 1.2 / step) * step
        def ypos(v):
            return y0 + h - v / hi * h
        ticks = [k * step for k in range(int(round(hi / step)) + 1)]
    out.append(f'<text x="{x0}" y="{y0 - 14}" font-size="15" font-weight="bold">{escape(title)}</text>')
    for t in ticks:
        y = ypos(t)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#dee2e6" stroke-width="1"/>')
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#495057">{fmt(t, unit)}</text>')
    out.append(f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="#495057"/>')
    gw = w / len(groups)
    for gi, g in enumerate(groups):
        engines = [e for e in ENGINES + ["floor"] if e in data[g]]
        bw = min(26, (gw - 14) / max(1, len(engines)))
        gx = x0 + gi * gw + (gw - bw * len(engines)) / 2
        for ei, e in enumerate(engines):
            r = data[g][e]
            v = convert(float(r["value"]), r["unit"])
            x = gx + ei * bw
            y = ypos(v) if v > 0 else y0 + h
            bad = r.get("errors", "0") not in ("0", "")
            outline = ' stroke="red" stroke-width="3"' if bad else ""
            out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw - 2:.1f}" height="{y0 + h - y:.1f}" '
                       f'fill="{COLORS.get(e, "#000")}"{outline}>'
                       f'<title>{e} {g}: {fmt(v, unit)} {unit}</title></rect>')
            lx, ly = x + (bw - 2) / 2, y - 3
            out.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="9" text-anchor="start" '
                       f'transform="rotate(-60 {lx:.1f} {ly:.1f})" fill="#212529">{fmt(v, unit)}</text>')
        for li, line in enumerate(LABELS.get(g, g).split("\n")):
            out.append(f'<text x="{x0 + gi * gw + gw / 2:.1f}" y="{y0 + h + 16 + li * 13}" font-size="11" '
                       f'text-anchor="middle" fill="#212529">{escape(line)}</text>')


def to_mib(v, unit):
    if unit == "bytes":
        return v / 1048576.0
    if unit == "KiB":
        return v / 1024.0
    return v


def svg(data, rows, path):
    W, H = 1280, 1240
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           f'font-family="DejaVu Sans, Helvetica, Arial, sans-serif">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="30" font-size="20" text-anchor="middle" font-weight="bold">'
           f'ToonStore vs LMDB, SQLite, RocksDB - {int(rows or 0):,} rows of 60-120 B (same run, same disk)</text>']
    lx = 90
    for e in ENGINES + ["floor"]:
        if any(e in d for d in data.values()):
            out.append(f'<rect x="{lx}" y="46" width="14" height="14" fill="{COLORS[e]}"/>')
            name = "raw disk floor" if e == "floor" else e
            out.append(f'<text x="{lx + 20}" y="58" font-size="13">{name}</text>')
            lx += 150
    out.append(f'<text x="{W - 20}" y="58" font-size="11" text-anchor="end" fill="#495057">'
               f'log scales; red outline = verification errors</text>')
    panel(out, 90, 110, W - 120, 360, "Throughput, ops/s (higher is better)", THROUGHPUT, data, "ops/s", True)
    panel(out, 90, 580, 520, 240, "Close / reopen / recovery, ms (lower is better)", TIMES, data, "ms", True)
    panel(out, 720, 580, 530, 240, "Disk and memory, MiB (lower is better)", SIZES, data, "MiB", False,
          convert=to_mib)
    panel(out, 90, 930, W - 120, 230, "Latency per operation, us (lower is better)", LATENCY, data, "us", True)
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def value(data, phase, engine):
    r = data.get(phase, {}).get(engine)
    return float(r["value"]) if r else None


def targets(data):
    """the issue 6 targets: (text, met or None when not measured, detail)"""
    v = lambda p, e: value(data, p, e)
    res = []

    def ratio(p, e):
        a, b = v(p, "toonstore"), v(p, e)
        return a / b if a is not None and b else None

    def add(text, ok, detail):
        res.append((text, ok, detail))

    for peer, want in (("lmdb", 3), ("sqlite", 10), ("rocksdb", 10)):
        r = ratio("get_random", peer)
        add(f"random get >= {want}x {peer}", None if r is None else r >= want,
            "" if r is None else f"{r:.2f}x")
    peers = [v("put_single_nosync", p) for p in ("lmdb", "sqlite", "rocksdb")]
    peers = [p for p in peers if p]
    ts = v("put_single_nosync", "toonstore")
    if ts and peers:
        add("one commit per put without fsync >= 5x the best peer", ts >= 5 * max(peers), f"{ts / max(peers):.2f}x")
    r = ratio("put_batched", "lmdb")
    add("batched put ahead of LMDB", None if r is None else r > 1, "" if r is None else f"{r:.2f}x")
    floor = v("floor_overwrite_4k_fdatasync", "floor")
    ts1 = v("put_durable", "toonstore")
    if floor and ts1:
        add("durable put (1 thread) within 1.3x of the 4 KiB overwrite+fdatasync floor", ts1 * 1.3 >= floor,
            f"{ts1:.0f} vs floor {floor:.0f} ops/s = floor/{floor / ts1:.2f}")
    peers = [(p, v("put_durable", p)) for p in ("lmdb", "sqlite", "rocksdb")]
    peers = [(p, x) for p, x in peers if x]
    if ts1 and peers:
        best = max(peers, key=lambda t: t[1])
        add("durable put (1 thread) ahead of every peer", ts1 > best[1], f"{ts1 / best[1]:.2f}x best ({best[0]})")
    ts8 = v("put_durable_mt8", "toonstore")
    if ts1 and ts8:
        add("durable put, 8 threads >= 4x the 1-thread rate", ts8 >= 4 * ts1, f"{ts8 / ts1:.2f}x")
    r = ratio("scan", "lmdb")
    add("full scan ahead of LMDB", None if r is None else r > 1, "" if r is None else f"{r:.2f}x")
    a, b = v("reopen_first_get", "toonstore"), v("reopen_first_get", "lmdb")
    if a is not None and b is not None:
        add("reopen after clean close within 10x LMDB", a <= 10 * b,
            f"{a:.2f} ms vs {b:.2f} ms")
    a = v("recover_kill9_first_get", "toonstore")
    if a is not None:
        add("recovery after kill -9 under 200 ms", a < 200, f"{a:.1f} ms")
    a, b = v("disk_after_load", "toonstore"), v("disk_after_load", "lmdb")
    if a and b:
        add("disk after load at most LMDB's", a <= b, f"{a / 1048576:.1f} MiB vs {b / 1048576:.1f} MiB")
    # issue 20
    r = ratio("scan", "lmdb")
    add("(issue 20) full scan >= 2x LMDB", None if r is None else r >= 2, "" if r is None else f"{r:.2f}x")
    for phase, what in (("close", "close"), ("reopen_first_get", "reopen (open + first get)")):
        a, b = v(phase, "toonstore"), v(phase, "lmdb")
        if a is not None and b:
            add(f"(issue 20) {what} within 5x LMDB", a <= 5 * b, f"{a:.2f} ms vs {b:.2f} ms = {a / b:.1f}x")
    a, b = v("recover_kill9_first_get", "toonstore"), v("reopen_first_get", "lmdb")
    if a is not None and b:
        add("(issue 20) recovery after kill -9 within 10x LMDB's reopen", a <= 10 * b,
            f"{a:.2f} ms vs {b:.2f} ms = {a / b:.1f}x")
    if floor and ts1:
        add("(issue 20) durable put (1 thread) within 1.2x the floor", ts1 * 1.2 >= floor,
            f"floor/{floor / ts1:.2f}")
    if ts1 and ts8:
        add("(issue 20) durable put, 8 threads >= 5x one thread", ts8 >= 5 * ts1, f"{ts8 / ts1:.2f}x")
    a = v("lat_put_nosync_p99.99", "toonstore")
    if a is not None:
        add("(issue 20) put without fsync (NORMAL) p99.99 <= 1 ms", a <= 1000, f"{a:.1f} us")
    return res


def markdown(data, path):
    lines = []
    phases = [p for p in THROUGHPUT + TIMES + SIZES + LATENCY if p in data]
    engines = [e for e in ENGINES if any(e in data[p] for p in phases)]
    peers = [e for e in engines if e != "toonstore"]
    hdr = "| phase | unit | " + " | ".join(engines) + " | " + " | ".join(f"ToonStore/{p}" for p in peers) + " |"
    lines.append(hdr)
    lines.append("|" + "---|" * (2 + len(engines) + len(peers)))
    for p in phases:
        row = data[p]
        unit = next(iter(row.values()))["unit"]
        disp_unit = "MiB" if unit in ("bytes", "KiB") else unit
        cells = []
        for e in engines:
            r = row.get(e) or (row.get("floor") if e == "toonstore" else None)
            if r is None:
                cells.append("-")
                continue
            x = to_mib(float(r["value"]), r["unit"])
            s = f"{x:,.2f}" if disp_unit in ("ms", "MiB") else f"{x:,.0f}"
            if r.get("errors", "0") not in ("0", ""):
                s += f" (**{r['errors']} ERRORS**)"
            if e == "toonstore" and "floor" in row:
                s += " (floor)"
            cells.append(s)
        ratios = []
        for pe in peers:
            a, b = value(data, p, "toonstore"), value(data, p, pe)
            ratios.append(f"{a / b:.3g}x" if a is not None and b else "-")
        lines.append(f"| {p} | {disp_unit} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    lines.append("")
    lines.append("Ratios are ToonStore / peer of the shown value: above 1 is better for ops/s, "
                 "below 1 is better for ms and MiB.")
    lines.append("")
    lines.append("| target (issue 6; issue 20 marked) | result | measured |")
    lines.append("|---|---|---|")
    for text, ok, detail in targets(data):
        mark = "not measured" if ok is None else ("met" if ok else "**missed**")
        lines.append(f"| {text} | {mark} | {detail} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    data, rows = load(argv[1])
    svg(data, rows, argv[2])
    print(f"chart: {argv[2]}")
    if "--markdown" in argv:
        md = argv[argv.index("--markdown") + 1]
        markdown(data, md)
        print(f"summary: {md}")
    for text, ok, detail in targets(data):
        mark = "n/a " if ok is None else ("MET " if ok else "MISS")
        print(f"  [{mark}] {text}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
