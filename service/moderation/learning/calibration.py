"""The calibration report: how the model's bands read against moderators' decisions.

Per label, the precision (the share of the comments a band flags that moderators
rejected) and recall (the share of what moderators rejected that it flags) of the hold
and reject bands in force, and the trade-off curve of every threshold on that label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from service.moderation.learning.labels import Labelled
from service.policy import LABELS, Policy

CURVE_POINTS = 40


@dataclass(frozen=True)
class Band:
    threshold: float
    flagged: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class LabelReport:
    label: str
    hold: Band
    reject: Band
    curve: list[tuple[float, float, float]]
    """``(threshold, recall, precision)`` from the highest threshold down."""


def band(scores: Sequence[float], rejected: Sequence[bool], threshold: float) -> Band:
    flagged = [r for s, r in zip(scores, rejected, strict=True) if s >= threshold]
    positives = sum(rejected)
    return Band(threshold, len(flagged),
                round(sum(flagged) / len(flagged), 4) if flagged else None,
                round(sum(flagged) / positives, 4) if positives else None)


def calibration_report(rows: Sequence[Labelled], policy: Policy) -> list[LabelReport]:
    """Every label the decided comments were scored on, in ``LABELS`` order."""
    reports = []
    rejected = [row.rejected for row in rows]
    for label in LABELS:
        if not rows or not all(label in row.scores for row in rows):
            continue
        scores = [row.scores[label] for row in rows]
        ordered = sorted(set(scores), reverse=True)
        step = max(1, len(ordered) // CURVE_POINTS)
        curve = []
        for threshold in [*ordered[::step], ordered[-1]]:
            point = band(scores, rejected, threshold)
            if point.precision is not None and point.recall is not None:
                curve.append((threshold, point.recall, point.precision))
        reports.append(LabelReport(
            label, band(scores, rejected, policy.hold.get(label, 1.01)),
            band(scores, rejected, policy.reject.get(label, 1.01)), curve))
    return reports


def as_dict(reports: Sequence[LabelReport]) -> list[dict[str, Any]]:
    return [{"label": r.label, "hold": vars(r.hold), "reject": vars(r.reject),
             "curve": [list(point) for point in r.curve]} for r in reports]
