"""Thin entry point: see mmids/cli/robustness.py (python scripts/robustness.py --help)."""

from mmids.cli.robustness import main

if __name__ == "__main__":
    raise SystemExit(main())
