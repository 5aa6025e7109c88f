"""Quality of a backend beside fp32's: ROC-AUC and decision rates, not agreement alone.

The labelled comments are Jigsaw's ``report`` rows as ``modelkit.sources`` splits them
for the news models (``model finetune --seed 0``): rows that neither their training,
checkpoint choice nor threshold fitting saw. A faster backend (int8) moves scores, so
fp32's thresholds are not its thresholds. Each backend gets its own: on the first half
of the sample, every threshold of the policy is moved to where the backend flags the
same share of comments as fp32 does at the policy's threshold (quantile matching). The
second half then measures what each backend decides: the share of toxic comments
published and of clean ones held (or rejected). The issue's rule for a default: AUC
within 0.002 of fp32's, both rates within one point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from service.policy import Outcome, Policy, decide

AUC_TOLERANCE = 0.002
RATE_TOLERANCE = 0.01


@dataclass(frozen=True)
class Labelled:
    """Comments with their labels (Detoxify names), and whether each is toxic at all."""

    texts: list[str]
    labels: dict[str, np.ndarray]
    toxic: np.ndarray


@dataclass(frozen=True)
class Quality:
    """One backend's quality on the report half."""

    auc: float
    """Mean ROC-AUC over the labels that have both classes."""
    toxic_published: float
    clean_held: float


SPLIT_SEED = 0
"""The seed of the shipped news models' splits (``model finetune --seed``)."""


def validation_sample(path: Path, sample: int, seed: int = 0) -> Labelled:
    """A fixed-seed sample of the ``report`` rows of a Jigsaw CSV, with labels.

    The ``report`` half (``modelkit.sources.id_split``, seed ``SPLIT_SEED``) is held out
    of the news models' training and fitting; ``model train``'s validation part is not
    (most of it is their training rows). The texts are offensive by nature: they are
    scored, never printed.
    """
    from modelkit.sources import LABELS, load_jigsaw, split_rows

    table = load_jigsaw(path, SPLIT_SEED)
    rows = table.select(split_rows(table, "report", seed, sample))
    labels = {label: np.where(rows.mask[:, column] > 0, rows.targets[:, column], np.nan)
              for column, label in enumerate(LABELS)}
    return Labelled(rows.texts, labels, rows.toxic.astype(np.float64))


def mean_auc(scores: Sequence[Mapping[str, float]], labels: Mapping[str, np.ndarray]) -> float:
    """Mean ROC-AUC over the labels that the scores have and whose column has both classes."""
    from sklearn.metrics import roc_auc_score

    values = []
    for label, truth in labels.items():
        known = ~np.isnan(truth)
        if not scores or label not in scores[0] or len(set(truth[known])) < 2:
            continue
        predicted = np.array([row[label] for row in scores])
        values.append(float(roc_auc_score(truth[known], predicted[known])))
    return float(np.mean(values)) if values else float("nan")


def matched_policy(reference: Sequence[Mapping[str, float]],
                   candidate: Sequence[Mapping[str, float]], policy: Policy) -> Policy:
    """``policy`` with each threshold moved to where ``candidate`` flags as often as ``reference``.

    Applied to the same comments: the share of ``reference`` at or above a threshold is
    the share of ``candidate`` at or above the moved one.
    """

    def moved(thresholds: Mapping[str, float]) -> dict[str, float]:
        result = dict(thresholds)
        for label, threshold in thresholds.items():
            if not reference or label not in reference[0]:
                continue
            ours = np.array([row[label] for row in reference])
            theirs = np.array([row[label] for row in candidate])
            share = float(np.mean(ours >= threshold))
            result[label] = (float(np.quantile(theirs, 1.0 - share, method="higher"))
                             if share > 0 else max(threshold, float(theirs.max()) + 1e-9))
        return result

    return Policy(hold=moved(policy.hold), reject=moved(policy.reject), target=None)


def decision_rates(scores: Sequence[Mapping[str, float]], toxic: np.ndarray,
                   policy: Policy) -> tuple[float, float]:
    """The shares of toxic comments published and of clean comments not published."""
    published = np.array([decide(row, policy).outcome == Outcome.APPROVED for row in scores])
    toxic_rows, clean_rows = toxic == 1.0, toxic == 0.0
    return (float(published[toxic_rows].mean()) if toxic_rows.any() else 0.0,
            float((~published[clean_rows]).mean()) if clean_rows.any() else 0.0)


def compare(data: Labelled, reference: Sequence[Mapping[str, float]],
            candidate: Sequence[Mapping[str, float]],
            policy: Policy | None = None) -> tuple[Quality, Quality]:
    """fp32's (``reference``) and the candidate's quality, each with its own thresholds.

    The first half of ``data`` fits the candidate's thresholds; the second reports.
    """
    policy = policy or Policy()
    half = len(data.texts) // 2
    fitted = matched_policy(reference[:half], candidate[:half], policy)
    report = {label: truth[half:] for label, truth in data.labels.items()}
    toxic = data.toxic[half:]
    plain = Quality(mean_auc(reference[half:], report),
                    *decision_rates(reference[half:], toxic, policy))
    fast = Quality(mean_auc(candidate[half:], report),
                   *decision_rates(candidate[half:], toxic, fitted))
    return plain, fast


def good_enough(plain: Quality, fast: Quality) -> bool:
    """The issue's rule for making a faster backend the default."""
    return (plain.auc - fast.auc <= AUC_TOLERANCE
            and abs(plain.toxic_published - fast.toxic_published) <= RATE_TOLERANCE
            and abs(plain.clean_held - fast.clean_held) <= RATE_TOLERANCE)


def figures(plain: Quality, fast: Quality) -> dict[str, Any]:
    """The quality figures of the bench's JSON line."""
    return {
        "auc_fp32": round(plain.auc, 4), "auc_served": round(fast.auc, 4),
        "toxic_published_fp32": round(plain.toxic_published, 4),
        "toxic_published_served": round(fast.toxic_published, 4),
        "clean_held_fp32": round(plain.clean_held, 4),
        "clean_held_served": round(fast.clean_held, 4),
        "quality_parity": good_enough(plain, fast),
    }
