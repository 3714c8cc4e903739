import numpy as np
import torch

from mmids.data.loaders import clean_frame
from mmids.data.preprocessing import ModalityPreprocessor


def test_fit_on_train_only_and_round_trip_json(small_synthetic):
    t = clean_frame(small_synthetic.network, "network", "s")
    train, test = t.frame.iloc[:1500], t.frame.iloc[1500:]
    pre = ModalityPreprocessor.fit(train, t.schema)
    assert "src_ip" not in pre.state.numeric + pre.state.categorical  # identifiers out by default
    assert "ts" not in pre.state.numeric
    assert "http_referrer" in pre.state.dropped_constant  # all '-' in the stand-in
    again = ModalityPreprocessor.from_json(pre.to_json())
    assert torch.equal(pre.transform(test), again.transform(test))
    x = pre.transform(train)
    assert x.shape == (1500, pre.output_dim) and torch.isfinite(x).all()
    num = x[:, : len(pre.state.numeric)]
    assert torch.allclose(num.mean(0), torch.zeros(num.shape[1]), atol=0.05)
    median = np.nanmedian(train["duration"].to_numpy())
    assert np.isclose(pre.state.median[pre.state.numeric.index("duration")], median)


def test_missing_unseen_and_onehot(small_synthetic):
    t = clean_frame(small_synthetic.network, "network", "s")
    pre = ModalityPreprocessor.fit(t.frame, t.schema)
    rows = t.frame.iloc[:3].copy()
    rows["proto"] = [None, "sctp", "tcp"]
    numeric, codes = pre.encode(rows)
    j = pre.state.categorical.index("proto")
    assert codes[0, j] == 0 and codes[1, j] == 1 and codes[2, j] >= 2
    x = pre.transform(rows)
    onehot = x[:, len(pre.state.numeric):]
    assert torch.all(onehot.sum(1) == len(pre.state.categorical))


def test_nan_and_inf_imputed_with_train_median(small_synthetic):
    t = clean_frame(small_synthetic.host, "host", "s")
    pre = ModalityPreprocessor.fit(t.frame, t.schema, include_identifiers=False)
    assert len(pre.state.dropped_constant) == 19
    rows = t.frame.iloc[:2].copy()
    col = pre.state.numeric[0]
    rows[col] = [np.nan, np.inf]
    x = pre.transform(rows)
    assert torch.isfinite(x).all() and x[0, 0] == x[1, 0]


def test_chunked_and_row_selected_transforms_equal_one_pass(small_synthetic):
    t = clean_frame(small_synthetic.network, "network", "s")
    pre = ModalityPreprocessor.fit(t.frame.iloc[:1500], t.schema)
    whole = pre.transform(t.frame)
    assert torch.equal(pre.transform(t.frame, chunk_rows=7), whole)
    rows = np.random.default_rng(0).permutation(len(t.frame))[:777]
    assert torch.equal(pre.transform(t.frame, rows=rows, chunk_rows=100), whole[rows])


def test_categorical_and_string_columns_encode_alike(small_synthetic):
    """A column read as a pandas categorical (typed file read) gets the same codes and vocabulary
    as the same column held as strings (stand-in, scoring frames)."""
    t = clean_frame(small_synthetic.network, "network", "s")
    cat = t.frame.copy()
    for c in t.schema.by_role("categorical"):
        cat[c] = cat[c].astype("category")
    a = ModalityPreprocessor.fit(t.frame, t.schema)
    b = ModalityPreprocessor.fit(cat, t.schema)
    assert a.state == b.state
    np.testing.assert_array_equal(a.encode(t.frame)[1], b.encode(cat)[1])
