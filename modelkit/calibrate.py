"""Choose the policy's thresholds from scored, labelled comments (numpy only).

Hold thresholds: the publish band may let through at most ``max_let_through`` (2%)
of the comments labelled toxic (any label 1), and among such threshold sets the one
that holds the fewest clean comments wins. Found by coordinate descent: each label
other than ``toxicity`` tries a grid of thresholds while ``toxicity``'s is re-fitted
to use the whole allowance, and the best change is kept until none helps. No hold
threshold exceeds ``cap`` (0.5): whatever the validation optimum, a comment that the
model finds more likely toxic than not on any label is never published unseen.

Reject thresholds: per label, the lowest threshold above which at least a target
share of the comments, at every higher threshold too, are labelled toxic; the target
is raised until the union of all labels' rejections reaches ``min_precision``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

PIVOT = "toxicity"


@dataclass(frozen=True)
class HoldFit:
    """Hold thresholds and what they do on the data they were fitted on."""

    thresholds: dict[str, float]
    let_through: int
    """Toxic comments below every hold threshold (published)."""
    toxic: int
    clean_held: int
    clean: int


def fit_hold(scores: Mapping[str, np.ndarray], toxic: np.ndarray,
             max_let_through: float = 0.02, cap: float = 0.5, grid: int = 100,
             decimals: int = 3) -> HoldFit:
    """Hold thresholds that publish at most ``max_let_through`` of the toxic comments.

    Args:
        scores: label -> scores of each comment (must include ``toxicity``).
        toxic: per comment True if labelled toxic.
        max_let_through: the largest share of toxic comments that may be published.
        cap: the highest hold threshold of any label.
        grid: candidate thresholds tried per label (quantiles of its toxic scores).
        decimals: thresholds are rounded down to this many decimals (holding a little
            more, never letting more through).
    """
    toxic = np.asarray(toxic, dtype=bool)
    labels = [PIVOT] + [label for label in scores if label != PIVOT]
    matrix = np.stack([np.asarray(scores[label], dtype=np.float64) for label in labels], axis=1)
    budget = math.floor(max_let_through * toxic.sum())
    candidates = [
        np.unique(np.minimum(cap, np.concatenate([
            _floor(np.quantile(matrix[toxic, column], np.linspace(0, 1, grid)), decimals), [cap],
        ])))
        for column in range(matrix.shape[1])
    ]
    thresholds = np.full(matrix.shape[1], cap)
    thresholds[0] = min(cap, _fit_pivot(matrix, toxic, thresholds, budget, decimals))
    best = _clean_held(matrix, toxic, thresholds)
    improved = True
    while improved:
        improved = False
        for column in range(1, matrix.shape[1]):
            for value in candidates[column]:
                trial = thresholds.copy()
                trial[column] = value
                trial[0] = min(cap, _fit_pivot(matrix, toxic, trial, budget, decimals))
                held = _clean_held(matrix, toxic, trial)
                if held < best:
                    best, thresholds, improved = held, trial, True
    let_through = int((toxic & (matrix < thresholds).all(axis=1)).sum())
    return HoldFit(dict(zip(labels, thresholds.tolist(), strict=True)), let_through,
                   int(toxic.sum()), best, int((~toxic).sum()))


def apply_hold(scores: Mapping[str, np.ndarray], toxic: np.ndarray,
               thresholds: Mapping[str, float]) -> tuple[int, int]:
    """(toxic comments let through, clean comments held) under ``thresholds``."""
    toxic = np.asarray(toxic, dtype=bool)
    caught = np.zeros(len(toxic), dtype=bool)
    for label, threshold in thresholds.items():
        if label in scores:
            caught |= np.asarray(scores[label]) >= threshold
    return int((toxic & ~caught).sum()), int((~toxic & caught).sum())


def fit_reject(scores: Mapping[str, np.ndarray], toxic: np.ndarray,
               min_precision: float = 0.99, min_support: int = 10,
               floor: Mapping[str, float] | None = None, decimals: int = 3) -> dict[str, float]:
    """Reject thresholds whose rejections, all labels together, are precise enough.

    For a per-label target p, a label's threshold is the lowest t such that for t
    and every higher threshold still rejecting at least ``min_support`` comments, at
    least p of those rejected are labelled toxic (1.0, no automatic rejection, if
    none qualifies). p starts at ``min_precision`` and rises until the comments that
    any label rejects are at least ``min_precision`` toxic.

    Args:
        floor: per label, a lowest allowed value (the hold threshold).
    """
    toxic = np.asarray(toxic, dtype=bool)
    for target in np.linspace(min_precision, 1.0, 21):
        chosen = {label: max(_reject_threshold(values, toxic, target, min_support, decimals),
                             (floor or {}).get(label, 0.0))
                  for label, values in scores.items()}
        rejected_toxic, rejected_clean = apply_reject(scores, toxic, chosen)
        if rejected_toxic >= min_precision * (rejected_toxic + rejected_clean):
            return chosen
    return dict.fromkeys(scores, 1.0)


def _reject_threshold(values: np.ndarray, toxic: np.ndarray, target: float,
                      min_support: int, decimals: int) -> float:
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(-values, kind="stable")
    counts = np.arange(1, len(values) + 1)
    precision = np.cumsum(toxic[order]) / counts
    failing = np.flatnonzero((precision < target - 1e-12) & (counts >= min_support))
    end = failing[0] if failing.size else len(values)
    if end < min_support:
        return 1.0
    # the lowest score still inside the precise top, rounded up
    return min(1.0, _ceil(values[order][end - 1], decimals))


def apply_reject(scores: Mapping[str, np.ndarray], toxic: np.ndarray,
                 thresholds: Mapping[str, float]) -> tuple[int, int]:
    """(toxic, clean) comments rejected under ``thresholds``."""
    toxic = np.asarray(toxic, dtype=bool)
    rejected = np.zeros(len(toxic), dtype=bool)
    for label, threshold in thresholds.items():
        if label in scores:
            rejected |= np.asarray(scores[label]) >= threshold
    return int((toxic & rejected).sum()), int((~toxic & rejected).sum())


def _fit_pivot(matrix: np.ndarray, toxic: np.ndarray, thresholds: np.ndarray,
               budget: int, decimals: int) -> float:
    """The highest pivot threshold that lets through at most ``budget`` toxic comments."""
    caught = (matrix[:, 1:] >= thresholds[1:]).any(axis=1)
    uncaught = np.sort(matrix[toxic & ~caught, 0])
    if len(uncaught) <= budget:
        return 1.0
    return float(_floor(uncaught[budget], decimals))


def _clean_held(matrix: np.ndarray, toxic: np.ndarray, thresholds: np.ndarray) -> int:
    return int((~toxic & (matrix >= thresholds).any(axis=1)).sum())


def _floor(values: np.ndarray | float, decimals: int) -> np.ndarray | float:
    scale = 10.0 ** decimals
    return np.floor(np.asarray(values) * scale + 1e-9) / scale


def _ceil(value: float, decimals: int) -> float:
    scale = 10.0 ** decimals
    return float(math.ceil(value * scale - 1e-9) / scale)
