# Mirrors .ci/run. `make ci` is exactly what CI runs.
.PHONY: fmt lint test test-deps bench bench-peer bench-ingest bench-ingest-cin7 systemd ci

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings

test: test-deps
	cargo nextest run --locked --no-fail-fast

# The SMTP server the report delivery tests send to (Debian's python3-aiosmtpd, and
# python3-cryptography for its test certificates).
test-deps:
	@/usr/bin/python3 -c 'import aiosmtpd, cryptography' 2>/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    python3-aiosmtpd python3-cryptography)

bench:
	cargo bench --bench xero_sync

# Not in CI: installs tap-xero from PyPI into target/peer-venv (docs/benchmarks.md).
bench-peer:
	bench/peer/compare.py --size 10000 --seed 7 --minute-ms 2000

bench-ingest:
	scripts/bench/ingest.py 40000 400000

bench-ingest-cin7:
	scripts/bench/ingest_cin7.py 88000 176000

systemd:
	cargo build --locked && systemd/check target/debug/cxsync

ci:
	.ci/run
