"""How decisions compare with moderators', with bootstrap confidence intervals: numpy only,
so that the web process's reports and the workers share it.

Rates are shares of the moderators' own decisions: ``published_rejected`` of the comments
they rejected, the share published; ``held_approved`` of those they approved, the share
held or rejected; ``agreement`` of all, the share decided as they did (a hold they then
approved is a disagreement).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy

from service.policy import Outcome

DRAWS = 1000
LEVEL = 0.95
RATES = ("agreement", "published_rejected", "held_approved")


def _rates(published: Any, rejected: Any) -> dict[str, float | None]:
    approved = ~rejected
    return {
        "agreement": float(numpy.mean(published != rejected)) if len(rejected) else None,
        "published_rejected": float(published[rejected].mean()) if rejected.any() else None,
        "held_approved": float((~published[approved]).mean()) if approved.any() else None,
    }


def rates(outcomes: Sequence[str], rejected: Sequence[bool]) -> dict[str, float | None]:
    """Each rate of ``outcomes`` against the moderators' ``rejected``, rounded."""
    found = _rates(numpy.asarray([o == Outcome.APPROVED for o in outcomes], dtype=bool),
                   numpy.asarray(rejected, dtype=bool))
    return {name: None if value is None else round(value, 4) for name, value in found.items()}


def intervals(outcomes: Sequence[str], rejected: Sequence[bool], seed: int = 0,
              draws: int = DRAWS) -> dict[str, list[float] | None]:
    """A ``LEVEL`` interval of each rate: the percentile bootstrap over the rows (resampled
    with replacement, ``draws`` times, seeded), widened to the Wilson score interval where
    that is wider, as it is when the bootstrap cannot move (none of 20 rejections published:
    the bootstrap says 0-0%, Wilson 0-16%). ``[low, high]``; None without rows."""
    published = numpy.asarray([o == Outcome.APPROVED for o in outcomes], dtype=bool)
    flags = numpy.asarray(rejected, dtype=bool)
    if not len(flags):
        return dict.fromkeys(RATES)
    draw = numpy.random.default_rng(seed)
    samples: dict[str, list[float]] = {name: [] for name in RATES}
    for _ in range(draws):
        pick = draw.integers(0, len(flags), len(flags))
        for name, value in _rates(published[pick], flags[pick]).items():
            if value is not None:
                samples[name].append(value)
    counts = {"agreement": (int(numpy.sum(published != flags)), len(flags)),
              "published_rejected": (int(published[flags].sum()), int(flags.sum())),
              "held_approved": (int((~published[~flags]).sum()), int((~flags).sum()))}
    tail = 100 * (1 - LEVEL) / 2
    found: dict[str, list[float] | None] = {}
    for name, values in samples.items():
        if not values:
            found[name] = None
            continue
        low, high = wilson(*counts[name])
        found[name] = [round(min(float(numpy.percentile(values, tail)), low), 4),
                       round(max(float(numpy.percentile(values, 100 - tail)), high), 4)]
    return found


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of ``successes / trials`` (``LEVEL``, 95%)."""
    if not trials:
        return 0.0, 1.0
    share = successes / trials
    centre = (share + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / (
        1 + z * z / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


def auc(scores: Sequence[float], rejected: Sequence[bool]) -> float | None:
    """ROC AUC of ``scores`` for the moderators' rejections (ties count half); None
    unless both kinds are present."""
    values = numpy.asarray(scores, dtype=numpy.float64)
    flags = numpy.asarray(rejected, dtype=bool)
    positives, negatives = int(flags.sum()), int((~flags).sum())
    if not positives or not negatives:
        return None
    order = numpy.argsort(values, kind="mergesort")
    ranks = numpy.empty(len(values))
    sorted_values = values[order]
    ranks[order] = numpy.arange(1, len(values) + 1)
    # average ranks over ties
    _, first, counts = numpy.unique(sorted_values, return_index=True, return_counts=True)
    for start, count in zip(first, counts, strict=True):
        if count > 1:
            ranks[order[start:start + count]] = start + (count + 1) / 2
    return round(float((ranks[flags].sum() - positives * (positives + 1) / 2)
                       / (positives * negatives)), 4)
