#!/usr/bin/env python3
"""Cin7 Core ingest throughput: cxsync's Cin7 Core backfill of a large simulated account, with
Cin7's 60-calls-a-minute limit lifted, in documents per second, with cxsync's CPU and peak RSS.

For each size, the simulator serves a fresh business (seed 7) with Cin7's limit lifted on a
real-time minute (`sim_cin7_sync serve`; ten calls at once stays), and
`benches/sim_cin7_sync.rs` (the Cin7 half of `cxsync sync --once`: the same client, pacing and
store, its own limit lifted in the config) backfills it into a new SQLite store: the chart of
accounts, `saleList` and one `sale` detail per sale, `purchaseList` and one `purchase` detail
per purchase, `stockadjustmentList` and one detail per adjustment, and the `transactions`
ledger feed. The simulator runs in its own process on the same cores; its time is not in
cxsync's CPU seconds or RSS. A size is sales; each brings about 1.14 Cin7 documents with a
detail (a purchase every ten sales, an adjustment every twenty-five).

    scripts/bench/ingest_cin7.py [SIZE ...]        (default: 88000 = about 100k documents)
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build():
    out = subprocess.run(
        ["cargo", "bench", "--bench", "sim_cin7_sync", "--no-run", "--locked",
         "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "sim_cin7_sync":
            return Path(msg["executable"])
    sys.exit("cargo did not report the sim_cin7_sync bench binary")


def vm(pid, key):
    """A `/proc/PID/status` figure in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def run(bench, size, work):
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
    return dict(size=size, generated=generated, sim_rss=sim_rss, wall=wall,
                cpu=usage.ru_utime + usage.ru_stime, rss=usage.ru_maxrss / 1024,
                calls=sum(r["calls"] for r in result["endpoints"].values()),
                details=result["details"], documents=result["documents"],
                feed=result["feed_rows"], lines=result["ledger_lines"], db_mib=db / 2**20)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [88_000]
    bench = build()
    print(f"date {time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} at start\n")
    print("| sales (size) | details fetched | Cin7 documents | feed rows (ledger lines) | "
          "API calls | wall | details/s | CPU s | CPU per detail | peak RSS | store size |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="cxsync-ingest-cin7-") as work:
            r = run(bench, size, Path(work))
        print(f"| {r['size']:,} | {r['details']:,} | {r['documents']:,} | {r['feed']:,} "
              f"({r['lines']:,}) | {r['calls']:,} | {r['wall']:.1f} s | "
              f"{r['details'] / r['wall']:,.0f} | {r['cpu']:.1f} | "
              f"{r['cpu'] / r['details'] * 1e6:.0f} µs | {r['rss']:.0f} MiB | "
              f"{r['db_mib']:.0f} MiB |", flush=True)
        print(f"    (simulator: {r['generated']:.1f} s to generate, {r['sim_rss']:.0f} MiB)",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
