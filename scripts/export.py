"""Thin entry point: see mmids/cli/export.py (python scripts/export.py --help)."""

from mmids.cli.export import main

if __name__ == "__main__":
    raise SystemExit(main())
