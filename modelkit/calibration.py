"""Fit the calibration that ``workers.scoring.calibration`` applies: isotonic maps per label.

Fitted on validation comments only (never on those the figures are reported on), so
that a threshold of 0.3 reads as "three in ten comments scored so were labelled
toxic there". The data is toxic-enriched, so the probabilities are those of that mix,
not of a real comment section's; thresholds are chosen for target rates anyway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np

MAX_KNOTS = 200
"""Knots per label, at quantiles of the scores: the map between them is linear."""


def fit_calibration(raw: Mapping[str, np.ndarray], labels: Mapping[str, np.ndarray],
                    weights: np.ndarray | None = None) -> dict[str, object]:
    """Isotonic maps from raw scores to the share labelled positive, per label.

    Args:
        raw: label -> raw model scores.
        labels: label -> targets in [0, 1] (fractional labels allowed), NaN where unlabelled.
        weights: per comment, e.g. to weigh sources equally.

    Returns:
        ``{"labels": {label: {"x": [...], "y": [...]}}}``, as the scorer reads it.
    """
    from sklearn.isotonic import IsotonicRegression

    maps: dict[str, dict[str, list[float]]] = {}
    for label, scores in raw.items():
        target = np.asarray(labels.get(label, np.full(len(scores), np.nan)), dtype=np.float64)
        known = ~np.isnan(target)
        if known.sum() < 50 or len(np.unique(target[known] >= 0.5)) < 2:
            continue
        x_known = np.asarray(scores, dtype=np.float64)[known]
        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        isotonic.fit(x_known, target[known],
                     sample_weight=None if weights is None else weights[known])
        x = np.unique(np.quantile(x_known, np.linspace(0.0, 1.0, MAX_KNOTS)))
        y = np.maximum.accumulate(isotonic.predict(x))
        maps[label] = {"x": [round(float(v), 6) for v in x], "y": [round(float(v), 6) for v in y]}
    return {"labels": maps}


def write_calibration(calibration: Mapping[str, object], path: str | Path) -> None:
    Path(path).write_text(json.dumps(calibration, indent=1, sort_keys=True) + "\n")
