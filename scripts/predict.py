"""Thin entry point: see mmids/cli/predict.py (python scripts/predict.py --help)."""

from mmids.cli.predict import main

if __name__ == "__main__":
    raise SystemExit(main())
