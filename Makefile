# Mirrors .ci/run. `make ci` is exactly what CI runs.
.PHONY: fmt lint test bench systemd ci

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings

test:
	cargo nextest run --locked --no-fail-fast

bench:
	cargo bench --bench xero_sync

systemd:
	cargo build --locked && systemd/check target/debug/cxsync

ci:
	.ci/run
