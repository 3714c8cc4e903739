"""Write the generated TON_IoT stand-in to disk in the TON_IoT folder layout.

    python scripts/make_dataset.py --out data/standin [--rows N] [--seed S] [--difficulty D]
"""

from mmids.cli.make_dataset import main

if __name__ == "__main__":
    raise SystemExit(main())
