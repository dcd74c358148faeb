# The two commands of the quick start. Each sets up what it needs first (scripts/setup.sh).
.PHONY: demo test lint setup

demo:
	@scripts/setup.sh
	uv run --frozen sulo demo

test:
	@scripts/setup.sh --test
	uv run --frozen pytest
	@$(MAKE) --no-print-directory lint

lint:
	uv run --frozen ruff check src tests benchmarks
	uv run --frozen mypy

setup:
	@scripts/setup.sh --test
