"""`robustness`: missing-modality sweep of one or more runs, as a table, JSON and a plot."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mmids.cli import run_guarded


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score runs with 0-100% of test rows missing host (or network) data.")
    parser.add_argument("runs", nargs="+", help="checkpoints/<run> folders")
    parser.add_argument("--out", default=None, help="PNG plot path (a .json with the numbers is written beside it)")
    args = parser.parse_args(argv)

    def run() -> int:
        import matplotlib.pyplot as plt

        from mmids.data.files import atomic_save, atomic_write_text
        from mmids.robustness import sweep, sweep_figure
        from mmids.runs import load_run

        results = {}
        for path in args.runs:
            r = load_run(path)
            results[f"{r.config.config_name} ({Path(path).name})"] = sweep(r)
        for label, res in results.items():
            print(label)
            print(f"  {'% missing':>10}  {'host missing':>13}  {'network missing':>16}")
            for f in res["host_missing"]:
                print(f"  {100 * f:>10.0f}  {res['host_missing'][f]:>13.4f}  {res['network_missing'][f]:>16.4f}")
            auc = res["auc_relative"]
            print(f"  robustness (area under curve / clean): host {auc['host_missing']:.3f}, network {auc['network_missing']:.3f}")
        if args.out:
            fig = sweep_figure(results)
            atomic_save(args.out, lambda p: fig.savefig(p, dpi=110, format="png"))
            plt.close(fig)
            atomic_write_text(Path(args.out).with_suffix(".json"), json.dumps(results, indent=2))
        return 0

    return run_guarded(run)
