"""Quality figures: ROC-AUC and the decision table of a policy (numpy only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve; NaN when a class is absent.

    The Mann-Whitney form: the chance that a random positive outscores a random
    negative, ties counting one half. Unlabelled (NaN) rows are left out.
    """
    labels = np.asarray(labels, dtype=np.float64)
    scores = np.asarray(scores, dtype=np.float64)
    known = ~np.isnan(labels)
    labels, scores = labels[known] > 0.5, scores[known]
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    _, inverse, counts = np.unique(scores[order], return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    average_rank = ends - (counts - 1) / 2.0
    ranks = np.empty(scores.size)
    ranks[order] = average_rank[inverse]
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def auc_table(labels: Mapping[str, np.ndarray],
              scores: Mapping[str, np.ndarray]) -> dict[str, float]:
    """ROC-AUC of every label that has both true labels and scores."""
    return {name: roc_auc(values, scores[name]) for name, values in labels.items()
            if name in scores}


def mean_auc(aucs: Mapping[str, float]) -> float:
    """Mean of the defined AUCs (NaN if none is)."""
    values = [value for value in aucs.values() if not np.isnan(value)]
    return float(np.mean(values)) if values else float("nan")


def decision_table(toxic: np.ndarray, outcomes: Sequence[str]) -> dict[str, dict[str, object]]:
    """Counts and rates of each outcome among labelled toxic and clean comments.

    Args:
        toxic: per comment 1.0 (toxic), 0.0 (clean) or NaN (unlabelled, left out).
        outcomes: per comment ``approved``, ``held`` or ``rejected``.

    Returns:
        ``{"toxic": {"n": int, "approved": {"count", "rate"}, ...}, "clean": {...}}``.
    """
    table: dict[str, dict[str, object]] = {}
    outcome_array = np.asarray(outcomes)
    for group, value in (("toxic", 1.0), ("clean", 0.0)):
        members = np.asarray(toxic) == value
        total = int(members.sum())
        row: dict[str, object] = {"n": total}
        for outcome in ("approved", "held", "rejected"):
            count = int((outcome_array[members] == outcome).sum())
            row[outcome] = {"count": count, "rate": count / total if total else float("nan")}
        table[group] = row
    return table


def rejection_precision(table: Mapping[str, Mapping[str, object]]) -> float:
    """Share of labelled toxic comments among the rejected ones (NaN if none rejected)."""
    toxic = table["toxic"]["rejected"]["count"]  # type: ignore[index]
    clean = table["clean"]["rejected"]["count"]  # type: ignore[index]
    return toxic / (toxic + clean) if toxic + clean else float("nan")


def json_safe(value: object) -> object:
    """``value`` with NaN and infinities replaced by None, for strict JSON."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value
