"""Data layer: TON_IoT schemas, loaders, the generated stand-in, pairing, splits, preprocessing."""
