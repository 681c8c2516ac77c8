#!/usr/bin/env python3
"""cxsync and singer's tap-xero 2.6.0 syncing the same simulated Xero, side by side.

For each tool, a fresh `cxsync sim serve` (same seed and size, a scaled minute, Xero's real
limits: 60 calls a minute, 5 at once, 5,000 a day) serves the organisation; the tool backfills
it, then runs one idle incremental cycle. The simulator counts the requests it answers
(`GET /sim/stats`); the tool's CPU seconds and peak RSS come from `wait4()` on its process
(the simulator is another process). Prints a markdown table.

With `--runs N` (default 3) both tools run N times, alternately (cxsync first, then tap-xero
first, and so on), each run against a fresh simulator, and the table gives each tool's median
wall time, CPU time and peak RSS: on a shared machine one run's CPU time varies by ±10 %.
The CPU times of every run, and the ratio of each pair, are listed under the table.

cxsync's side is `benches/sim_xero_sync.rs`: the Xero half of `cxsync sync --once` (the same
clients, pacing and store). tap-xero is installed from PyPI into a virtual environment under
`target/` (never into this repository) and started by `run_tap_xero.py`, which points it at
the simulator. Needs python3 with venv (Debian: `apt-get install python3-venv`).

    bench/peer/compare.py [--size 10000] [--seed 7] [--minute-ms 2000] [--runs 3]
"""

import argparse
import base64
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "target" / "peer-venv"
LAUNCHER = Path(__file__).resolve().parent / "run_tap_xero.py"
TAP_VERSION = "2.6.0"
# The streams both tools read; tap-xero names and the simulator's endpoints.
STREAMS = {
    "invoices": "Invoices",
    "credit_notes": "CreditNotes",
    "payments": "Payments",
    "manual_journals": "ManualJournals",
    "accounts": "Accounts",
    "journals": "Journals",
}
CLIENT = ("sim-client", "sim-secret")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def build():
    """cxsync (release) and the cxsync side's bench binary; returns their paths."""
    subprocess.run(["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True)
    out = subprocess.run(
        ["cargo", "bench", "--bench", "sim_xero_sync", "--no-run", "--locked",
         "--message-format=json"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    bench = None
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
                and msg["target"]["name"] == "sim_xero_sync":
            bench = msg["executable"]
    if not bench:
        sys.exit("cargo did not report the sim_xero_sync bench binary")
    return ROOT / "target" / "release" / "cxsync", Path(bench)


def tap_python():
    """The venv's python with tap-xero installed (installs it the first time)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        log(f"installing tap-xero=={TAP_VERSION} into {VENV}")
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)])
        if made.returncode != 0:
            sys.exit("python3 -m venv failed: on Debian/Ubuntu run `apt-get install python3-venv`")
        subprocess.run([str(python), "-m", "pip", "install", "-q", f"tap-xero=={TAP_VERSION}", "six"],
                       check=True)
    return python


class Sim:
    """A `cxsync sim serve` process."""

    def __init__(self, cxsync, args, work):
        self.config = work / "cxsync.toml"
        self.proc = subprocess.Popen(
            [str(cxsync), "sim", "serve", "--seed", str(args.seed), "--size", str(args.size),
             "--minute-ms", str(args.minute_ms), "--write-config", str(self.config),
             "--store", str(work / "cxsync.db")],
            stdout=subprocess.PIPE, text=True)
        self.base = None
        for line in self.proc.stdout:
            found = re.search(r"simulated Xero at (http://\S+)", line)
            if found:
                self.base = found.group(1)
            if "serving until" in line:
                break
        if not self.base:
            sys.exit("the simulator did not start")
        self.tenant = re.search(r'tenant_id = "([^"]+)"', self.config.read_text()).group(1)

    def stats(self):
        with urllib.request.urlopen(self.base + "/sim/stats") as r:
            return json.load(r)

    def refresh_token(self):
        """A refresh token from the simulator's sign-in (what `tap-xero` is configured with)."""
        body = urllib.parse.urlencode({"grant_type": "authorization_code", "code": "sim-code",
                                       "client_id": CLIENT[0]}).encode()
        request = urllib.request.Request(self.base + "/connect/token", data=body, method="POST")
        basic = base64.b64encode(f"{CLIENT[0]}:{CLIENT[1]}".encode()).decode()
        request.add_header("Authorization", "Basic " + basic)
        with urllib.request.urlopen(request) as r:
            return json.load(r)["refresh_token"]

    def stop(self):
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(timeout=30)


def measure(cmd, stdout, stderr):
    """Runs `cmd`; returns (exit status, wall s, CPU s, peak RSS MiB) of that process."""
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def diff(after, before):
    """Requests per endpoint and status between two `/sim/stats` snapshots."""
    out = {}
    for endpoint, by_status in after.items():
        for status, n in by_status.items():
            d = n - before.get(endpoint, {}).get(status, 0)
            if d:
                out.setdefault(endpoint, {})[status] = d
    return out


def api_calls(stats):
    return sum(n for e, s in stats.items() if e != "token" for n in s.values())


def too_many(stats):
    return sum(s.get("429", 0) for s in stats.values())


def run_cxsync(cxsync, bench, args, work):
    sim = Sim(cxsync, args, work)
    runs = []
    try:
        for cycle in ("backfill", "idle"):
            before = sim.stats()
            with open(work / f"cxsync-{cycle}.out", "w") as out, \
                    open(work / f"cxsync-{cycle}.err", "w") as err:
                code, wall, cpu, rss = measure([str(bench), str(sim.config)], out, err)
            if code != 0:
                sys.exit(f"cxsync {cycle} failed ({code}): see {work}/cxsync-{cycle}.err")
            text = (work / f"cxsync-{cycle}.out").read_text()
            result = json.loads(text.split("result: ", 1)[1])
            records = {e: r["records"] for e, r in result["endpoints"].items()}
            runs.append(dict(wall=wall, cpu=cpu, rss=rss, stats=diff(sim.stats(), before),
                             records=records))
    finally:
        sim.stop()
    return runs


def run_tap(cxsync, python, args, work):
    sim = Sim(cxsync, args, work)
    catalog = work / "catalog.json"
    subprocess.run([str(python), str(LAUNCHER), "--write-catalog", str(catalog), *STREAMS],
                   check=True)
    config = work / "tap-config.json"
    config.write_text(json.dumps({
        "client_id": CLIENT[0], "client_secret": CLIENT[1], "tenant_id": sim.tenant,
        "refresh_token": sim.refresh_token(), "start_date": "2025-01-01T00:00:00Z",
    }))
    runs = []
    state = None
    try:
        for cycle in ("backfill", "idle"):
            before = sim.stats()
            cmd = [str(python), str(LAUNCHER), "--sim-base", sim.base, "--minute-ms",
                   str(args.minute_ms), "--", "--config", str(config), "--catalog", str(catalog)]
            if state:
                cmd += ["--state", str(state)]
            out_path = work / f"tap-{cycle}.jsonl"
            with open(out_path, "w") as out, open(work / f"tap-{cycle}.err", "w") as err:
                code, wall, cpu, rss = measure(cmd, out, err)
            if code != 0:
                sys.exit(f"tap-xero {cycle} failed ({code}): see {work}/tap-{cycle}.err")
            records, last_state = {}, None
            with open(out_path) as out:
                for line in out:
                    if line.startswith('{"type": "RECORD"'):
                        stream = json.loads(line)["stream"]
                        records[STREAMS[stream]] = records.get(STREAMS[stream], 0) + 1
                    elif line.startswith('{"type": "STATE"'):
                        last_state = line
            state = work / "tap-state.json"
            state.write_text(json.dumps(json.loads(last_state)["value"]))
            runs.append(dict(wall=wall, cpu=cpu, rss=rss, stats=diff(sim.stats(), before),
                             records=records))
    finally:
        sim.stop()
    return runs


def median_runs(runs):
    """One tool's runs as one: the median wall time, CPU time and peak RSS of each cycle, with
    the first run's requests and records (the same in every run, apart from tap-xero's 429s
    and their retries)."""
    cycles = []
    for cycle in range(len(runs[0])):
        each = [run[cycle] for run in runs]
        cycles.append(dict(each[0], **{k: statistics.median(r[k] for r in each)
                                       for k in ("wall", "cpu", "rss")}))
    return cycles


def table(args, cx_runs, tap_runs):
    cx, tap = median_runs(cx_runs), median_runs(tap_runs)
    rows = []
    say = rows.append
    say(f"Simulated Xero: seed {args.seed}, size {args.size} (sales), one Xero minute = "
        f"{args.minute_ms} ms; date {time.strftime('%Y-%m-%d', time.gmtime())}; "
        f"{len(cx_runs)} run(s) of each tool, medians.")
    say("")
    say("Calls and records are the first run's (the same in every run, apart from tap-xero's "
        "429s and their retries: see the lines under the second table).")
    say("")
    say("| endpoint | records | cxsync calls | tap-xero calls | minimum (pages of 1000; journals 100) |")
    say("|---|---:|---:|---:|---:|")
    endpoints = sorted(set(cx[0]["stats"]) | set(tap[0]["stats"]) - {"token"})
    for e in endpoints:
        if e == "token":
            continue
        n = cx[0]["records"].get(e, tap[0]["records"].get(e, 0))
        page = 100 if e == "Journals" else 1000
        minimum = max(1, -(-n // page)) if e not in ("Organisation", "TrackingCategories") else 1
        c = sum(cx[0]["stats"].get(e, {}).values())
        t = sum(tap[0]["stats"].get(e, {}).values())
        say(f"| {e} | {n:,} | {c:,} | {t:,} | {minimum:,} |")
    say("")
    say("| | cxsync | tap-xero 2.6.0 | tap-xero ÷ cxsync |")
    say("|---|---:|---:|---:|")

    def line(label, f, fmt, ratio=True):
        a, b = f(cx), f(tap)
        r = f"{b / a:.1f}×" if ratio and a else ""
        say(f"| {label} | {fmt(a)} | {fmt(b)} | {r} |")

    recs = lambda runs: sum(runs[0]["records"].values())
    shared = lambda runs: sum(runs[0]["records"].get(e, 0) for e in STREAMS.values())
    line("records synced (all its streams)", recs, "{:,}".format, ratio=False)
    line("records of the six shared streams", shared, "{:,}".format, ratio=False)
    line("backfill API calls (all endpoints)", lambda r: api_calls(r[0]["stats"]), "{:,}".format)
    line("backfill 429s received", lambda r: too_many(r[0]["stats"]), "{:,}".format, ratio=False)
    line("backfill wall time (s)", lambda r: r[0]["wall"], "{:.1f}".format)
    line("backfill CPU time (s)", lambda r: r[0]["cpu"], "{:.2f}".format)
    line("backfill peak RSS (MiB)", lambda r: r[0]["rss"], "{:.0f}".format)
    line("records per CPU-second", lambda r: recs(r) / r[0]["cpu"], "{:,.0f}".format, ratio=False)
    line("CPU µs per record", lambda r: r[0]["cpu"] / recs(r) * 1e6, "{:,.0f}".format)
    line("idle cycle API calls", lambda r: api_calls(r[1]["stats"]), "{:,}".format, ratio=False)
    line("idle cycle records re-read", lambda r: sum(r[1]["records"].values()), "{:,}".format,
         ratio=False)
    line("idle cycle CPU time (s)", lambda r: r[1]["cpu"], "{:.2f}".format)
    say("")
    cpu = lambda runs: [run[0]["cpu"] for run in runs]
    say("Backfill CPU time of each run (s): cxsync "
        + ", ".join(f"{c:.2f}" for c in cpu(cx_runs)) + "; tap-xero "
        + ", ".join(f"{c:.2f}" for c in cpu(tap_runs)) + "; tap-xero ÷ cxsync, run by run: "
        + ", ".join(f"{t / c:.1f}×" for c, t in zip(cpu(cx_runs), cpu(tap_runs))) + ".")
    too = lambda runs: ", ".join(str(too_many(run[0]["stats"])) for run in runs)
    say(f"Backfill 429s of each run: cxsync {too(cx_runs)}; tap-xero {too(tap_runs)}.")
    calls = lambda runs: ", ".join(f"{api_calls(run[0]['stats']):,}" for run in runs)
    say(f"Backfill API calls of each run: cxsync {calls(cx_runs)}; tap-xero {calls(tap_runs)}.")
    say(f"Token calls (not API calls): cxsync {cx[0]['stats'].get('token', {})} + "
        f"{cx[1]['stats'].get('token', {})}; tap-xero {tap[0]['stats'].get('token', {})} + "
        f"{tap[1]['stats'].get('token', {})} (backfill + idle).")
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000, help="sales in the simulated data")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--minute-ms", type=int, default=2000,
                        help="one Xero minute in milliseconds (tap-xero needs at least 1000)")
    parser.add_argument("--runs", type=int, default=3,
                        help="runs of each tool, alternately; the table gives medians")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    cxsync, bench = build()
    python = tap_python()
    work = Path(tempfile.mkdtemp(prefix="cxsync-peer-"))
    log(f"work directory: {work}")
    cx, tap = [], []

    def cxsync_run(n):
        (work / f"cxsync-{n}").mkdir()
        cx.append(run_cxsync(cxsync, bench, args, work / f"cxsync-{n}"))
        log(f"cxsync run {n}: backfill {cx[-1][0]['wall']:.1f} s, {cx[-1][0]['cpu']:.2f} s CPU")

    def tap_run(n):
        (work / f"tap-{n}").mkdir()
        tap.append(run_tap(cxsync, python, args, work / f"tap-{n}"))
        log(f"tap-xero run {n}: backfill {tap[-1][0]['wall']:.1f} s, "
            f"{tap[-1][0]['cpu']:.2f} s CPU")

    for n in range(1, args.runs + 1):
        # Alternate which goes first, so neither always runs on a machine the other warmed.
        for run in ((cxsync_run, tap_run) if n % 2 else (tap_run, cxsync_run)):
            run(n)
    print(table(args, cx, tap))
    (work / "raw.json").write_text(json.dumps({"cxsync": cx, "tap-xero": tap}, indent=1))
    log(f"raw figures: {work}/raw.json")


if __name__ == "__main__":
    main()
