"""Non-deep baselines (tree ensembles, classical models, clustering) behind one small interface,
fed by the same data pipeline (pairing, splits, preprocessing, reduction) as the deep models."""
