# Mirrors .ci/run. `make ci` is exactly what CI runs.
.PHONY: fmt lint test bench ci demo

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --locked -- -D warnings

test:
	cargo nextest run --locked --no-fail-fast

bench:
	@echo "no benchmarks yet: they arrive with the sync and simulator issues (docs/benchmarks.md)"; exit 2

ci:
	.ci/run
