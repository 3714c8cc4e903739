"""Per-modality encoders: a feature vector in, an embedding out. Each exposes ``output_dim``."""

from __future__ import annotations

import torch
from torch import nn


class MLPEncoder(nn.Module):
    """x [B, in_dim] -> [B, out_dim]: Linear-ReLU-Dropout blocks, then a linear projection."""

    def __init__(self, in_dim: int, out_dim: int = 64, hidden: tuple[int, ...] | list[int] = (128, 64),
                 dropout: float = 0.1):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_dim
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        layers.append(nn.Linear(width, out_dim))
        self.net = nn.Sequential(*layers)
        self.output_dim = out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class CNN1dEncoder(nn.Module):
    """x [B, in_dim] read as a 1-channel sequence [B, 1, in_dim] -> conv/BN/ReLU/max-pool blocks
    -> flatten (feature positions are meaningful, so no global pooling) -> [B, out_dim]."""

    def __init__(self, in_dim: int, out_dim: int = 64, channels: tuple[int, ...] | list[int] = (16, 32),
                 kernel_size: int = 5, dropout: float = 0.1):
        super().__init__()
        blocks: list[nn.Module] = []
        c_in, length = 1, in_dim
        for c_out in channels:
            blocks += [nn.Conv1d(c_in, c_out, kernel_size, padding=kernel_size // 2), nn.BatchNorm1d(c_out), nn.ReLU()]
            if length >= 4:
                blocks.append(nn.MaxPool1d(2))
                length //= 2
            c_in = c_out
        self.conv = nn.Sequential(*blocks)
        self.proj = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(c_in * length, out_dim), nn.ReLU())
        self.output_dim = out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(self.conv(x.unsqueeze(1)))


class TransformerEncoder(nn.Module):
    """Feature-tokenizer transformer: feature j becomes token x_j * W_j + b_j ([B, in_dim, d]), a
    learned CLS token is prepended, ``layers`` pre-norm self-attention blocks run, and the CLS output
    is projected to [B, out_dim]."""

    def __init__(self, in_dim: int, out_dim: int = 64, d_model: int = 32, heads: int = 4, layers: int = 2,
                 dropout: float = 0.1):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(in_dim, d_model) * d_model ** -0.5)
        self.bias = nn.Parameter(torch.zeros(in_dim, d_model))
        self.cls = nn.Parameter(torch.zeros(1, 1, d_model))
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=2 * d_model, dropout=dropout,
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.proj = nn.Linear(d_model, out_dim)
        self.output_dim = out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = x.unsqueeze(-1) * self.weight + self.bias
        tokens = torch.cat([self.cls.expand(x.shape[0], -1, -1), tokens], dim=1)
        return self.proj(self.norm(self.blocks(tokens)[:, 0]))
