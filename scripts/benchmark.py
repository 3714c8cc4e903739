"""Thin entry point: see mmids/cli/benchmark.py (python scripts/benchmark.py --help)."""

from mmids.cli.benchmark import main

if __name__ == "__main__":
    raise SystemExit(main())
