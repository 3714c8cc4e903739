"""`train`: one run from a YAML config with dotted overrides."""

from __future__ import annotations

import argparse
import sys

from mmids.cli import run_guarded
from mmids.config import load_config

USAGE = """python scripts/train.py --config fused_cnn.yaml [--seed N] [--section.key VALUE ...]

Examples:
  python scripts/train.py --config fused_cnn.yaml
  python scripts/train.py --config fused_cnn.yaml --model.fusion attention --trainer.max_epochs 3
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(usage=USAGE, description="Train one mmids model.")
    parser.add_argument("--config", default=None, help="configs/NAME or a path (default: built-in defaults)")
    parser.add_argument("--seed", type=int, default=None, help="global seed (same seed, same CPU -> same metrics)")
    parser.add_argument("--resume", default=None, metavar="RUN_DIR",
                        help="continue a killed run from its last completed epoch, with the run's own config")
    args, rest = parser.parse_known_args(argv)

    def run() -> int:
        from mmids.errors import MmidsInputError

        overrides = list(rest) + (["--seed", str(args.seed)] if args.seed is not None else [])
        if args.resume:
            if args.config or overrides:
                raise MmidsInputError("--resume uses the run's own config.yaml: give no --config, --seed or overrides")
            from mmids.training import resume_config

            cfg = resume_config(args.resume)
        else:
            cfg = load_config(args.config, overrides)  # fails fast, before heavy imports
        from mmids.reports import text_report
        from mmids.training import train

        result = train(cfg, resume=args.resume)
        if result.is_global_zero:
            print(text_report(result.metrics, result.run_dir))
            print(f"tensorboard --logdir {cfg.output_dir}", file=sys.stderr)
        return 0

    return run_guarded(run)
