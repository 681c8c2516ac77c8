#!/usr/bin/env python3
"""Ingest throughput: cxsync's Xero backfill of a large simulated organisation, with the
rate limits out of the way, in documents per second, with the peak RSS of cxsync's process.

For each size, the simulator serves a fresh organisation (seed 7) with Xero's per-minute and
per-day limits lifted on a real-time minute (`sim_xero_sync serve`: a scaled minute would
also scale the access token's 30-minute life; five calls at once stays), and
`benches/sim_xero_sync.rs` (the Xero half of `cxsync sync --once`: the same clients, pacing
and store, its own limits lifted in the config) backfills it into a new SQLite store. The simulator runs in its own
process on the same two cores, so it competes with cxsync for CPU; its time is not in cxsync's
CPU seconds or RSS. A size is sales in the simulator; each brings about 2.55 Xero documents
(invoice, COGS manual journal, half a payment, a credit note in twenty) and as many
general-ledger journals.

    scripts/bench/ingest.py [SIZE ...]        (default: 40000 = about 100k documents)
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build(name="sim_xero_sync"):
    """Builds bench binary `name` (release) and returns its path."""
    out = subprocess.run(
        ["cargo", "bench", "--bench", name, "--no-run", "--locked", "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == name:
            return Path(msg["executable"])
    sys.exit(f"cargo did not report the {name} bench binary")


def vm(pid, key):
    """A `/proc/PID/status` figure in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


# What a backfill stored, by side: counted after the bench's process has ended, so that the
# CPU time taken from `wait4()` is the sync's alone.
XERO_COUNTS = {
    "documents": "SELECT count(*) FROM documents WHERE system = 'xero'",
    "journals": "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'xero'",
    "ledger_lines": "SELECT count(*) FROM ledger_lines WHERE system = 'xero'",
}
CIN7_COUNTS = {
    # Sales, purchases and stock adjustments: one detail call each.
    "details": "SELECT count(*) FROM api_calls WHERE system = 'cin7' AND status = 200 "
               "AND (endpoint LIKE '%/sale' OR endpoint LIKE '%/purchase' "
               "OR endpoint LIKE '%/stockadjustment')",
    "documents": "SELECT count(*) FROM documents WHERE system = 'cin7'",
    "feed_rows": "SELECT count(DISTINCT source_id) FROM ledger_lines WHERE system = 'cin7' "
                 "AND source_id LIKE 'transactions/%'",
    "ledger_lines": "SELECT count(*) FROM ledger_lines WHERE system = 'cin7'",
}


def store_counts(path, queries):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {name: db.execute(sql).fetchone()[0] for name, sql in queries.items()}
    finally:
        db.close()


def run(bench, size, work, counts=XERO_COUNTS):
    """One backfill of a simulator of `size` by `bench` (`sim_xero_sync` or `sim_cin7_sync`,
    with `counts` its side's `XERO_COUNTS` or `CIN7_COUNTS`) in `work`: its timings, resources
    and what it stored."""
    config = work / "cxsync.toml"
    started = time.monotonic()
    sim = subprocess.Popen(
        [str(bench), "serve", str(size), str(config), str(work / "cxsync.db")],
        stdout=subprocess.PIPE, text=True)
    for line in sim.stdout:
        if "serving until" in line:
            break
    generated = time.monotonic() - started
    sim_rss = vm(sim.pid, "VmRSS")
    try:
        t0 = time.monotonic()
        with open(work / "sync.out", "w") as out, open(work / "sync.err", "w") as err:
            proc = subprocess.Popen([str(bench), str(config)], stdout=out, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"sync failed: see {work}/sync.err")
        with open(work / "sync.out") as out:
            result = json.loads(out.read().split("result: ", 1)[1])
    finally:
        sim.send_signal(signal.SIGINT)
        sim.wait(timeout=60)
    errors = {e: r["error"] for e, r in result["endpoints"].items() if r["error"]}
    if errors:
        sys.exit(f"endpoints failed: {errors}")
    db = sum(p.stat().st_size for p in work.glob("cxsync.db*"))
    counts = store_counts(work / "cxsync.db", counts)
    return dict(counts, size=size, generated=generated, sim_rss=sim_rss, wall=wall,
                cpu=usage.ru_utime + usage.ru_stime, rss=usage.ru_maxrss / 1024,
                calls=sum(r["calls"] for r in result["endpoints"].values()),
                lines=counts["ledger_lines"], db_mib=db / 2**20)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [40_000]
    bench = build()
    print(f"date {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    print("| sales (size) | Xero documents | journals (ledger lines) | API calls | wall | "
          "documents/s | documents + journals /s | CPU s | peak RSS | store size |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="cxsync-ingest-") as work:
            r = run(bench, size, Path(work))
        print(f"| {r['size']:,} | {r['documents']:,} | {r['journals']:,} ({r['lines']:,}) | "
              f"{r['calls']:,} | {r['wall']:.1f} s | {r['documents'] / r['wall']:,.0f} | "
              f"{(r['documents'] + r['journals']) / r['wall']:,.0f} | {r['cpu']:.1f} | "
              f"{r['rss']:.0f} MiB | {r['db_mib']:.0f} MiB |", flush=True)
        print(f"    (simulator: {r['generated']:.1f} s to generate, {r['sim_rss']:.0f} MiB)",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
