"""mmids: multimodal (network + host audit) intrusion detection on IoT telemetry."""

__version__ = "0.1.0"
