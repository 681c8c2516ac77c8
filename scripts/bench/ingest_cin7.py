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

import os
import sys
import tempfile
import time
from pathlib import Path

from ingest import CIN7_COUNTS, build as build_bench, run


def build():
    return build_bench("sim_cin7_sync")


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
            r = run(bench, size, Path(work), CIN7_COUNTS)
        print(f"| {r['size']:,} | {r['details']:,} | {r['documents']:,} | {r['feed_rows']:,} "
              f"({r['lines']:,}) | {r['calls']:,} | {r['wall']:.1f} s | "
              f"{r['details'] / r['wall']:,.0f} | {r['cpu']:.1f} | "
              f"{r['cpu'] / r['details'] * 1e6:.0f} µs | {r['rss']:.0f} MiB | "
              f"{r['db_mib']:.0f} MiB |", flush=True)
        print(f"    (simulator: {r['generated']:.1f} s to generate, {r['sim_rss']:.0f} MiB)",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
