import pytest
import torch

from mmids.config import ModelConfig
from mmids.models.build import build_model, count_parameters
from mmids.models.encoders import CNN1dEncoder, MLPEncoder, TransformerEncoder
from mmids.models.fusion import LateFusion
from mmids.models.losses import FocalLoss

DN, DH, C, B = 23, 17, 5, 6


def test_mlp_encoder_shape_and_exact_parameter_count():
    enc = MLPEncoder(10, out_dim=8, hidden=[16, 12])
    assert enc(torch.randn(B, 10)).shape == (B, 8) and enc.output_dim == 8
    assert count_parameters(enc) == (10 * 16 + 16) + (16 * 12 + 12) + (12 * 8 + 8)


def test_cnn_encoder_shape_and_parameter_count():
    enc = CNN1dEncoder(20, out_dim=8, channels=[4, 6], kernel_size=3)
    assert enc(torch.randn(B, 20)).shape == (B, 8)
    conv = (1 * 4 * 3 + 4) + 2 * 4 + (4 * 6 * 3 + 6) + 2 * 6  # conv weights/bias + batch-norm affine
    assert count_parameters(enc) == conv + (6 * 5 * 8 + 8)  # 20 -> 10 -> 5 after two poolings


def test_transformer_encoder_tokenizes_each_feature():
    enc = TransformerEncoder(12, out_dim=8, d_model=16, heads=4, layers=1)
    assert enc(torch.randn(B, 12)).shape == (B, 8)
    assert enc.weight.shape == (12, 16) and enc.cls.shape == (1, 1, 16)


@pytest.mark.parametrize("encoder", ["cnn", "mlp", "transformer"])
@pytest.mark.parametrize("fusion", ["early", "late", "attention", "network", "host"])
def test_every_combination_builds_scripts_and_shapes(encoder, fusion):
    cfg = ModelConfig(encoder=encoder, fusion=fusion, embed_dim=16, mlp_hidden=[32], cnn_channels=[4],
                      transformer_dim=8, transformer_heads=2, transformer_layers=1, attention_heads=2)
    model = build_model(cfg, DN, DH, C).eval()
    args = (torch.randn(B, DN), torch.randn(B, DH), torch.ones(B, 2))
    out = model(*args)
    assert out.shape == (B, C)
    assert model.embed(*args).shape == (B, model.output_dim)
    assert torch.allclose(torch.jit.script(model)(*args), out, atol=1e-5)


def _fusions():
    cfg = ModelConfig(encoder="mlp", embed_dim=16, mlp_hidden=[32], attention_heads=2)
    torch.manual_seed(0)
    return {f: build_model(ModelConfig(**{**cfg.__dict__, "fusion": f}), DN, DH, C).eval()
            for f in ("early", "late", "attention", "network", "host")}


@pytest.mark.parametrize("fusion", ["early", "late", "attention", "network"])
def test_masked_host_changes_nothing(fusion):
    model = _fusions()[fusion]
    net = torch.randn(B, DN)
    mask = torch.tensor([[1.0, 0.0]]).repeat(B, 1)
    a = model(net, torch.randn(B, DH), mask)
    b = model(net, torch.randn(B, DH) * 100, mask)
    assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize("fusion", ["early", "late", "attention"])
def test_present_host_does_change_fused_output(fusion):
    model = _fusions()[fusion]
    net, ones = torch.randn(B, DN), torch.ones(B, 2)
    assert not torch.allclose(model(net, torch.randn(B, DH), ones), model(net, torch.randn(B, DH), ones))


def test_host_only_ignores_network():
    model = _fusions()["host"]
    host, ones = torch.randn(B, DH), torch.ones(B, 2)
    assert torch.allclose(model(torch.randn(B, DN), host, ones), model(torch.randn(B, DN), host, ones))


def test_late_fusion_with_host_masked_equals_network_branch():
    model: LateFusion = _fusions()["late"]
    net = torch.randn(B, DN)
    mask = torch.tensor([[1.0, 0.0]]).repeat(B, 1)
    expected = model.network_head(model.network_encoder(net))
    assert torch.allclose(model(net, torch.randn(B, DH), mask), expected, atol=1e-6)


def test_attention_fusion_with_no_modality_is_finite():
    model = _fusions()["attention"]
    out = model(torch.randn(B, DN), torch.randn(B, DH), torch.zeros(B, 2))
    assert torch.isfinite(out).all()


def test_focal_loss_matches_cross_entropy_at_gamma_zero_and_downweights_easy():
    logits, y = torch.randn(32, C), torch.randint(0, C, (32,))
    ce = torch.nn.functional.cross_entropy(logits, y)
    assert torch.allclose(FocalLoss(gamma=0.0)(logits, y), ce)
    assert FocalLoss(gamma=2.0)(logits, y) < ce




def test_modality_dropout_masks_rows_only_in_training():
    from mmids.models.system import MultimodalClassifier

    torch.manual_seed(0)
    cfg = ModelConfig(encoder="mlp", fusion="early", host_dropout=0.5, network_dropout=0.2, mlp_hidden=[8], embed_dim=8)
    system = MultimodalClassifier(cfg.__dict__, DN, DH, [str(i) for i in range(C)])
    mask = system.drop_modalities(torch.ones(4000, 2))
    assert abs((mask[:, 1] == 0).float().mean().item() - 0.5) < 0.03
    assert abs((mask[:, 0] == 0).float().mean().item() - 0.5 * 0.2) < 0.03  # network dropped only where host kept
    assert (mask.sum(1) >= 1).all()  # never both
    plain = MultimodalClassifier(ModelConfig(encoder="mlp").__dict__, DN, DH, ["a", "b"])
    assert torch.equal(plain.drop_modalities(torch.ones(10, 2)), torch.ones(10, 2))
