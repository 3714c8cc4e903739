"""Thin entry point: see mmids/cli/footprint.py (python scripts/footprint.py --help)."""

from mmids.cli.footprint import main

if __name__ == "__main__":
    raise SystemExit(main())
