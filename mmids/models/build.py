"""Build the ``nn.Module`` a ``ModelConfig`` describes, with sizes taken from the data."""

from __future__ import annotations

from torch import nn

from mmids.config import ModelConfig
from mmids.models.encoders import CNN1dEncoder, MLPEncoder, TransformerEncoder
from mmids.models.fusion import AttentionFusion, ClassifierHead, EarlyFusion, HostOnly, LateFusion, NetworkOnly


def build_encoder(cfg: ModelConfig, in_dim: int) -> nn.Module:
    if cfg.encoder == "mlp":
        return MLPEncoder(in_dim, cfg.embed_dim, cfg.mlp_hidden, cfg.dropout)
    if cfg.encoder == "cnn":
        return CNN1dEncoder(in_dim, cfg.embed_dim, cfg.cnn_channels, cfg.cnn_kernel, cfg.dropout)
    return TransformerEncoder(in_dim, cfg.embed_dim, cfg.transformer_dim, cfg.transformer_heads,
                              cfg.transformer_layers, cfg.dropout)


def build_model(cfg: ModelConfig, network_dim: int, host_dim: int, num_classes: int) -> nn.Module:
    """encoders -> fusion -> head, as chosen by ``cfg.encoder`` and ``cfg.fusion``."""
    head = lambda: ClassifierHead(cfg.embed_dim, num_classes, cfg.dropout)  # noqa: E731
    if cfg.fusion == "network":
        return NetworkOnly(build_encoder(cfg, network_dim), head())
    if cfg.fusion == "host":
        return HostOnly(build_encoder(cfg, host_dim), head())
    if cfg.fusion == "early":
        return EarlyFusion(build_encoder(cfg, network_dim + host_dim + 2), head())
    if cfg.fusion == "late":
        return LateFusion(build_encoder(cfg, network_dim), build_encoder(cfg, host_dim), head(), head())
    return AttentionFusion(build_encoder(cfg, network_dim), build_encoder(cfg, host_dim), head(),
                           cfg.attention_heads, cfg.dropout)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
