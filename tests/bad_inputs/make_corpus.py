"""Regenerate the malformed-input corpus in this folder: python tests/bad_inputs/make_corpus.py

Each file is one kind of bad input; tests/test_bad_inputs.py states the documented outcome of each.
"""

from pathlib import Path

from mmids.data.synthetic import generate

HERE = Path(__file__).parent
NET = (HERE.parent / "data" / "train_test_network.real_rows.csv").read_text().splitlines()
HEADER, ROWS = NET[0], NET[1:]
COLS = HEADER.split(",")


def put(name: str, text: str | bytes) -> None:
    path = HERE / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def replace_cell(row: str, column: str, value: str) -> str:
    cells = row.split(",")
    cells[COLS.index(column)] = value
    return ",".join(cells)


def main() -> None:
    ok = "\n".join([HEADER, *ROWS]) + "\n"
    put("net_ok.csv", ok)
    put("empty.csv", "")
    put("header_only.csv", HEADER + "\n")
    keep = [i for i, c in enumerate(COLS) if c not in ("proto", "dst_bytes")]
    put("missing_columns.csv", "\n".join(",".join(r.split(",")[i] for i in keep) for r in NET) + "\n")
    put("duplicate_columns.csv", HEADER.replace("dst_bytes", "src_bytes") + "\n" + "\n".join(ROWS) + "\n")
    put("semicolon.csv", ok.replace(",", ";"))
    put("latin1_header.csv", ok.replace("src_ip", "src_\xedp", 1).encode("latin-1"))
    put("latin1_cell.csv", (HEADER + "\n" + replace_cell(ROWS[0], "dns_query", "caf\xe9.local") + "\n" + ROWS[1] + "\n").encode("latin-1"))
    put("text_in_numeric.csv", HEADER + "\n" + replace_cell(ROWS[0], "duration", "fast") + "\n" + ROWS[1] + "\n")
    put("nan_inf.csv", HEADER + "\n" + replace_cell(ROWS[0], "src_bytes", "inf") + "\n" + replace_cell(ROWS[1], "duration", "NaN") + "\n")
    put("negative_counts.csv", HEADER + "\n" + replace_cell(ROWS[0], "src_pkts", "-5") + "\n" + ROWS[1] + "\n")
    put("unknown_class.csv", HEADER + "\n" + replace_cell(ROWS[0], "type", "alien") + "\n" + ROWS[1] + "\n")
    put("label_contradicts_type.csv", HEADER + "\n" + replace_cell(ROWS[0], "label", "0") + "\n" + ROWS[1] + "\n")
    put("empty_type.csv", HEADER + "\n" + replace_cell(ROWS[0], "type", "") + "\n" + ROWS[1] + "\n")
    put("truncated.csv", ok[: len(HEADER) + 1 + len(ROWS[0]) + 1 + 40])
    put("extra_column.csv", HEADER + ",my_note\n" + "\n".join(r + ",x" for r in ROWS) + "\n")
    put("bom_header.csv", "\ufeff" + ok)
    put("unseen_category.csv", HEADER + "\n" + replace_cell(ROWS[0], "proto", "sctp") + "\n" + ROWS[1] + "\n")
    put("no_labels.csv", "\n".join(",".join(r.split(",")[:-2]) for r in NET) + "\n")
    host = generate(40, seed=1).train_test_host.head(6)
    host.to_csv(HERE / "host_blank_cells.csv", index=False)  # the stand-in's blank " " cells
    put("config_unknown_key.yaml", "model:\n  encoder: cnn\n  fusoin: early\n")
    put("config_wrong_type.yaml", "trainer:\n  max_epochs: ten\n")
    put("config_not_yaml.yaml", "model: [cnn\n  fusion: early\n")
    put("config_list.yaml", "- model\n- data\n")
    put("not_a_checkpoint.bin", b"this is not a checkpoint")


if __name__ == "__main__":
    main()
