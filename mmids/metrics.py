"""Classification metrics with the same fields for deep runs and baselines."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score


def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, class_names: list[str]) -> dict:
    """accuracy, macro_f1, per_class_f1, support, confusion_matrix (rows = true, columns = predicted)."""
    labels = list(range(len(class_names)))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    per_class = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    return {
        "accuracy": float((np.asarray(y_true) == np.asarray(y_pred)).mean()),
        "macro_f1": float(per_class.mean()),
        "per_class_f1": dict(zip(class_names, per_class.tolist())),
        "support": dict(zip(class_names, cm.sum(axis=1).astype(int).tolist())),
        "confusion_matrix": cm.tolist(),
        "confusion_matrix_labels": list(class_names),
    }
