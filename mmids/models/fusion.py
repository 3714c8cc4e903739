"""Fusion heads: how network and host embeddings become class logits.

Every variant has ``forward(network [B, Dn], host [B, Dh], mask [B, 2]) -> logits [B, C]`` and
``embed(...) -> [B, output_dim]`` (the representation the classifier reads). ``mask[:, 0]`` and
``mask[:, 1]`` are 1 where the network / host modality is present and 0 where it is missing; a
missing modality's features are zeroed, never branched on.
"""

from __future__ import annotations

import torch
from torch import nn


class ClassifierHead(nn.Module):
    """[B, in_dim] -> dropout -> linear -> logits [B, num_classes]."""

    def __init__(self, in_dim: int, num_classes: int, dropout: float = 0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_dim, num_classes))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class _OneEncoder(nn.Module):
    """One encoder and a head; subclasses say what ``embed`` feeds the encoder."""

    def __init__(self, encoder: nn.Module, head: nn.Module):
        super().__init__()
        self.encoder, self.head = encoder, head
        self.output_dim = encoder.output_dim

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(network, host, mask))


class NetworkOnly(_OneEncoder):
    """Single-modality baseline: only the network features reach the encoder."""

    def embed(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(network * mask[:, 0:1])


class HostOnly(_OneEncoder):
    """Single-modality baseline: only the host features reach the encoder."""

    def embed(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(host * mask[:, 1:2])


class EarlyFusion(_OneEncoder):
    """Concatenate [network * m0, host * m1, mask] ([B, Dn + Dh + 2]) before one shared encoder."""

    def embed(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.encoder(torch.cat([network * mask[:, 0:1], host * mask[:, 1:2], mask], dim=1))


class LateFusion(nn.Module):
    """One encoder and classifier per modality; logits combined with learned, mask-renormalised
    weights: logits = sum_m softmax(w)_m * mask_m * logits_m / sum_m softmax(w)_m * mask_m."""

    def __init__(self, network_encoder: nn.Module, host_encoder: nn.Module, network_head: nn.Module,
                 host_head: nn.Module):
        super().__init__()
        self.network_encoder, self.host_encoder = network_encoder, host_encoder
        self.network_head, self.host_head = network_head, host_head
        self.modality_logit = nn.Parameter(torch.zeros(2))
        self.output_dim = network_encoder.output_dim + host_encoder.output_dim

    def embed(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.network_encoder(network * mask[:, 0:1]), self.host_encoder(host * mask[:, 1:2])], dim=1)

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        logits = torch.stack([self.network_head(self.network_encoder(network * mask[:, 0:1])),
                              self.host_head(self.host_encoder(host * mask[:, 1:2]))], dim=1)  # [B, 2, C]
        w = torch.softmax(self.modality_logit, dim=0) * mask  # [B, 2]
        w = w / w.sum(dim=1, keepdim=True).clamp(min=1e-6)
        return (w.unsqueeze(-1) * logits).sum(dim=1)


class AttentionFusion(nn.Module):
    """Per-modality embeddings become two tokens (+ a learned modality embedding) that attend to each
    other; the modality mask is the attention key-padding mask; present tokens are mean-pooled.
    [B, 2, E] -> multi-head attention + residual + LayerNorm -> masked mean -> [B, E] -> head."""

    def __init__(self, network_encoder: nn.Module, host_encoder: nn.Module, head: nn.Module, heads: int = 4,
                 dropout: float = 0.1):
        super().__init__()
        dim = network_encoder.output_dim
        if host_encoder.output_dim != dim:
            raise ValueError("attention fusion needs encoders with equal output_dim")
        self.network_encoder, self.host_encoder, self.head = network_encoder, host_encoder, head
        self.modality_embedding = nn.Parameter(torch.zeros(2, dim))
        self.attention = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)
        self.norm = nn.LayerNorm(dim)
        self.output_dim = dim

    def embed(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        tokens = torch.stack([self.network_encoder(network * mask[:, 0:1]),
                              self.host_encoder(host * mask[:, 1:2])], dim=1) + self.modality_embedding
        present = mask > 0.5
        # A row with no modality at all attends to both tokens rather than producing NaN.
        padding = ~present & present.any(dim=1, keepdim=True)
        attended, _ = self.attention(tokens, tokens, tokens, key_padding_mask=padding, need_weights=False)
        out = self.norm(tokens + attended)
        weight = (~padding).to(out.dtype).unsqueeze(-1)
        return (out * weight).sum(dim=1) / weight.sum(dim=1)

    def forward(self, network: torch.Tensor, host: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.embed(network, host, mask))
