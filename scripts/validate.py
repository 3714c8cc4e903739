"""Thin entry point: see mmids/cli/validate.py (python scripts/validate.py --help)."""

from mmids.cli.validate import main

if __name__ == "__main__":
    raise SystemExit(main())
