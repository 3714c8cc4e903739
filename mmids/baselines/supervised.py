"""Supervised baselines: one wrapper, one factory per model, imbalance handling stated per model."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

from mmids.errors import MmidsInputError
from mmids.metrics import classification_metrics


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model and how it handles class imbalance."""

    build: Callable[[int, bool, int], object]  # (seed, balanced, n_jobs) -> estimator
    imbalance: str  # "class_weight", "sample_weight" or "none"
    note: str = ""


def _xgboost(seed: int, balanced: bool, n_jobs: int):
    try:
        from xgboost import XGBClassifier
    except ImportError:
        raise MmidsInputError("baseline 'xgboost' needs xgboost: pip install 'mmids[trees]'") from None
    return XGBClassifier(n_estimators=200, max_depth=6, learning_rate=0.1, tree_method="hist",
                         random_state=seed, n_jobs=n_jobs, verbosity=0)


def _sk(name: str) -> Callable[[int, bool, int], object]:
    def build(seed: int, balanced: bool, n_jobs: int):
        from sklearn import ensemble, linear_model, naive_bayes, neighbors, neural_network, svm, tree

        cw = "balanced" if balanced else None
        return {
            "random_forest": lambda: ensemble.RandomForestClassifier(200, class_weight=cw, n_jobs=n_jobs, random_state=seed),
            "extra_trees": lambda: ensemble.ExtraTreesClassifier(200, class_weight=cw, n_jobs=n_jobs, random_state=seed),
            "hist_gradient_boosting": lambda: ensemble.HistGradientBoostingClassifier(class_weight=cw, random_state=seed),
            "decision_tree": lambda: tree.DecisionTreeClassifier(class_weight=cw, random_state=seed),
            "logistic_regression": lambda: linear_model.LogisticRegression(C=1.0, class_weight=cw, max_iter=1000),
            "linear_svm": lambda: svm.LinearSVC(C=0.1, class_weight=cw, random_state=seed),
            "knn": lambda: neighbors.KNeighborsClassifier(5, n_jobs=n_jobs),
            "gaussian_nb": lambda: naive_bayes.GaussianNB(),
            "mlp": lambda: neural_network.MLPClassifier((128, 64), early_stopping=True, max_iter=200, random_state=seed),
        }[name]()

    return build


SUPERVISED: dict[str, ModelSpec] = {
    "xgboost": ModelSpec(_xgboost, "sample_weight"),
    "random_forest": ModelSpec(_sk("random_forest"), "class_weight"),
    "extra_trees": ModelSpec(_sk("extra_trees"), "class_weight"),
    "hist_gradient_boosting": ModelSpec(_sk("hist_gradient_boosting"), "class_weight"),
    "decision_tree": ModelSpec(_sk("decision_tree"), "class_weight"),
    "logistic_regression": ModelSpec(_sk("logistic_regression"), "class_weight"),
    "linear_svm": ModelSpec(_sk("linear_svm"), "class_weight", "predict_proba is softmax(decision_function), uncalibrated"),
    "knn": ModelSpec(_sk("knn"), "none", "k-NN has no class weights"),
    "gaussian_nb": ModelSpec(_sk("gaussian_nb"), "none", "priors are the training class frequencies"),
    "mlp": ModelSpec(_sk("mlp"), "none", "scikit-learn's MLP takes no class or sample weights"),
}


class SupervisedBaseline:
    """fit / predict / predict_proba / evaluate around one estimator; ``y`` are class indices."""

    def __init__(self, name: str, seed: int = 0, class_weight: str = "balanced", n_jobs: int = 2):
        if name not in SUPERVISED:
            raise MmidsInputError(f"unknown baseline {name!r}; allowed: {', '.join(SUPERVISED)}")
        self.name = name
        self.balanced = class_weight == "balanced"
        self.estimator = self.spec.build(seed, self.balanced, n_jobs)
        self.fit_seconds = self.predict_seconds = 0.0

    @property
    def spec(self) -> ModelSpec:
        return SUPERVISED[self.name]

    @property
    def imbalance(self) -> str:
        if not self.balanced or self.spec.imbalance == "none":
            return "none" + (f" ({self.spec.note})" if self.spec.imbalance == "none" and self.spec.note else "")
        return f"balanced {self.spec.imbalance}"

    def fit(self, x: np.ndarray, y: np.ndarray) -> SupervisedBaseline:
        start = time.perf_counter()
        if self.balanced and self.spec.imbalance == "sample_weight":
            self.estimator.fit(x, y, sample_weight=compute_sample_weight("balanced", y))
        else:
            self.estimator.fit(x, y)
        self.fit_seconds = time.perf_counter() - start
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.predict_proba(x).argmax(axis=1)

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """[n, C] with columns in class-index order (classes missing from training get 0)."""
        start = time.perf_counter()
        if hasattr(self.estimator, "predict_proba"):
            p = self.estimator.predict_proba(x)
        else:
            d = self.estimator.decision_function(x)
            p = np.exp(d - d.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
        self.predict_seconds = time.perf_counter() - start
        classes = np.asarray(self.estimator.classes_, dtype=int)
        out = np.zeros((len(x), int(classes.max()) + 1), dtype=np.float64)
        out[:, classes] = p
        return out

    def evaluate(self, x: np.ndarray, y: np.ndarray, class_names: list[str]) -> dict:
        proba = self.predict_proba(x)
        if proba.shape[1] < len(class_names):
            proba = np.pad(proba, ((0, 0), (0, len(class_names) - proba.shape[1])))
        metrics = classification_metrics(y, proba.argmax(axis=1), class_names)
        return {"test": metrics, "fit_seconds": round(self.fit_seconds, 4),
                "predict_seconds": round(self.predict_seconds, 4), "model_size_bytes": self.size_bytes(),
                "imbalance": self.imbalance}

    def size_bytes(self) -> int:
        buf = io.BytesIO()
        joblib.dump(self.estimator, buf)
        return buf.tell()

    def save(self, path: str | Path) -> str:
        """Atomic joblib dump; returns its sha256 (recorded in metrics.json and checked on load)."""
        from mmids.data.files import atomic_save, sha256_file

        path = Path(path)
        atomic_save(path, lambda p: joblib.dump(self, p))
        return sha256_file(path)


def load_baseline(path: str | Path, sha256: str | None = None) -> SupervisedBaseline:
    """Reload a saved baseline. joblib files are pickles: with ``sha256`` the file is refused unless it
    is byte-for-byte the one written; only load files you produced."""
    path = Path(path)
    if not path.is_file():
        raise MmidsInputError("baseline model file not found", source=str(path))
    if sha256 is not None:
        from mmids.data.files import sha256_file

        if sha256_file(path) != sha256:
            raise MmidsInputError("model file does not match the sha256 in metrics.json: refusing to unpickle it",
                                  source=str(path))
    model = joblib.load(path)
    if not isinstance(model, SupervisedBaseline):
        raise MmidsInputError("not an mmids baseline model file", source=str(path))
    return model
