# Mirrors .ci/run. `make ci` is exactly what CI runs.
.PHONY: fmt lint test bench bench-peer bench-ingest systemd ci

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings

test:
	cargo nextest run --locked --no-fail-fast

bench:
	cargo bench --bench xero_sync

# Not in CI: installs tap-xero from PyPI into target/peer-venv (docs/benchmarks.md).
bench-peer:
	bench/peer/compare.py --size 10000 --seed 7 --minute-ms 2000

bench-ingest:
	scripts/bench/ingest.py 40000 400000

systemd:
	cargo build --locked && systemd/check target/debug/cxsync

ci:
	.ci/run
