"""Encoders, fusion heads and the LightningModule that composes them."""
