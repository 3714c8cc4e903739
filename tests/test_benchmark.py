import re

import pandas as pd
import pytest

from mmids.cli.benchmark import main as benchmark_main
from mmids.config import load_config
from mmids.study.grid import build_grid


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    assert benchmark_main(["--config", "paper.yaml", "--quick", "--out", str(out)]) == 0
    return out


def _table_value(report: str, section: str, model: str, column: int) -> str:
    block = report.split(f"## {section}")[1].split("\n## ")[0]
    row = next(line for line in block.splitlines() if line.startswith(f"| {model} |"))
    return [c.strip() for c in row.strip("|").split("|")][column]


def test_quick_grid_writes_results_report_and_plots(quick):
    results = pd.read_csv(quick / "results.csv")
    assert {"cell", "family", "model", "view", "reduction", "pairing", "split", "seed", "accuracy", "macro_f1", "ari",
            "fit_seconds"} <= set(results.columns)
    assert set(results.pairing) == {"aligned", "cross_class", "shuffled"} and set(results.split) == {"stratified", "chronological"}
    assert results.cell.is_unique and set(results.seed) == {0, 1}
    for png in ("fusion_gain.png", "per_class_f1.png", "time_vs_accuracy.png"):
        assert (quick / png).stat().st_size > 1000


def test_report_numbers_are_the_ones_in_results_csv(quick):
    results = pd.read_csv(quick / "results.csv")
    report = (quick / "report.md").read_text()
    main = results[(results.pairing == "aligned") & (results.split == "stratified") & (results.reduction == "none")]
    rf = main[(main.model == "random_forest") & (main.view == "fused")].macro_f1
    expected = f"{rf.mean():.4f} ± {rf.std(ddof=0):.4f}"
    assert _table_value(report, "Single view vs fused (test macro-F1", "random_forest", 4) == expected
    net = main[(main.model == "cnn-network")].macro_f1
    assert _table_value(report, "Single view vs fused (test macro-F1", "cnn-early", 2) == f"{net.mean():.4f} ± {net.std(ddof=0):.4f}"
    km = results[(results.model == "kmeans") & (results.view == "fused") & (results.reduction == "none")].ari
    assert _table_value(report, "Clustering", "kmeans", 3) == f"{km.mean():.4f} ± {km.std(ddof=0):.4f}"
    shuffled = results[(results.model == "random_forest") & (results.pairing == "shuffled")].macro_f1
    block = report.split("## Honesty controls")[1]
    assert f"{shuffled.mean():.4f} ± {shuffled.std(ddof=0):.4f}" in block
    gain = re.search(r"\| random_forest \| baseline \|.*\| ([+-]\d\.\d{4}) \|", report).group(1)
    single = max(main[(main.model == "random_forest") & (main.view == v)].macro_f1.mean() for v in ("network", "host"))
    assert float(gain) == pytest.approx(rf.mean() - single, abs=1e-4)


def test_rerun_skips_finished_cells(quick):
    before = {p.name: p.stat().st_mtime_ns for p in (quick / "cells").glob("*.json")}
    assert benchmark_main(["--config", "paper.yaml", "--quick", "--out", str(quick)]) == 0
    after = {p.name: p.stat().st_mtime_ns for p in (quick / "cells").glob("*.json")}
    assert before == after


def test_grid_shape_and_controls_rule():
    cfg = load_config("paper.yaml")
    cells = build_grid(cfg, has_ts=True)
    main = [c for c in cells if c.pairing == "aligned" and c.split == "stratified"]
    # 3 seeds x 3 reductions x (15 deep + 10 baselines x 3 views + 4 clustering x 3 views)
    assert len(main) == 3 * 3 * (15 + 30 + 12)
    assert {c.pairing for c in cells} == {"aligned", "cross_class", "shuffled"}
    auto = load_config("paper.yaml", ["--study.controls", "auto"])
    assert {c.pairing for c in build_grid(auto, has_ts=False)} == {"aligned"}
    cc = load_config("paper.yaml", ["--study.controls", "auto", "--data.pairing", "class_conditional"])
    assert {c.pairing for c in build_grid(cc, has_ts=False)} == {"class_conditional", "cross_class", "shuffled"}
