import numpy as np
import pytest
import torch

from mmids.config import DataConfig, load_config
from mmids.data.datamodule import prepare_data
from mmids.data.reduction import fit_reducer
from mmids.errors import MmidsInputError


def _features(n=400, d=30, k=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    latent = torch.randn(n, k, generator=g)
    return latent @ torch.randn(k, d, generator=g) + 0.01 * torch.randn(n, d, generator=g)


def test_pca_matches_sklearn_and_is_a_tensor_op():
    from sklearn.decomposition import PCA

    net, host = _features(seed=1), _features(d=20, seed=2)
    r = fit_reducer("pca", "per_modality", net, host, n_components=3, max_fraction=0.5)
    zn, zh = r.transform(net, host, torch.ones(len(net), 2))
    ref = PCA(3).fit(net.numpy()).transform(net.numpy())
    assert zn.shape == (400, 3) and zh.shape == (400, 3)
    # component signs are arbitrary: compare up to sign per column
    assert np.allclose(np.abs(zn.numpy()), np.abs(ref), atol=1e-3)
    assert r.state["explained_variance"]["network"] > 0.99
    assert isinstance(r.module(), torch.nn.Module)


def test_variance_fraction_and_half_cap():
    net, host = _features(d=30, k=3), _features(d=20, k=3, seed=3)
    r = fit_reducer("pca", "fused", net, host, n_components=0.99, max_fraction=0.5)
    assert r.state["n_components"]["fused"] <= 6  # 2 x 3 latent factors carry the variance
    wide = fit_reducer("pca", "fused", net, host, n_components=40, max_fraction=0.5)
    assert wide.state["n_components"]["fused"] == 25  # capped at half of 50 features
    z, h = wide.transform(net, host, torch.ones(len(net), 2))
    assert z.shape == (400, 25) and h.shape == (400, 0)


def test_pipeline_fits_pca_on_train_only(small_synthetic):
    from mmids.data.loaders import clean_frame

    tables = (clean_frame(small_synthetic.network, "network", "s"), clean_frame(small_synthetic.host, "host", "s"))
    p = prepare_data(DataConfig(reduce="pca", n_components=10), seed=0, tables=tables)
    assert p.dims == {"network": 10, "host": 0}
    train = p.splits["train"].network
    assert torch.allclose(train.mean(0), torch.zeros(10), atol=1e-4)  # centred on the training rows
    assert p.splits["test"].network.mean(0).abs().max() > 1e-4  # ... not on the test rows
    assert p.info["reduction"]["fit_seconds"] > 0


def test_fused_reduction_needs_early_fusion():
    with pytest.raises(MmidsInputError, match="data.reduce_on"):
        load_config("late_cnn.yaml", ["--data.reduce", "pca"])
    assert load_config("late_cnn.yaml", ["--data.reduce", "pca", "--data.reduce_on", "per_modality"])


def test_umap_runs_cannot_be_exported():
    pytest.importorskip("umap")
    net, host = _features(n=120, d=12), _features(n=120, d=8, seed=4)
    r = fit_reducer("umap", "fused", net, host, n_components=2, max_fraction=0.5)
    z, _ = r.transform(net[:10], host[:10], torch.ones(10, 2))
    assert z.shape == (10, 2)
    with pytest.raises(MmidsInputError, match="cannot be exported"):
        r.module()
