"""Train one model: python scripts/train.py --config fused_cnn.yaml [--section.key VALUE ...]"""

from mmids.cli.train import main

if __name__ == "__main__":
    raise SystemExit(main())
