"""Thin entry point: see mmids/cli/baselines.py (python scripts/baselines.py --help)."""

from mmids.cli.baselines import main

if __name__ == "__main__":
    raise SystemExit(main())
