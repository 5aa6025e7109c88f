"""The first candidates' head: a logistic regression over the live model's label scores, and
the policy every head decides with (``forced``, ``decide_with``). Pure Python.

New candidates read the comment too (``vector_head``); heads of this kind, built before,
still load and decide.

The features are the logits of the calibrated label scores every model decision stores;
the target is whether a moderator rejected the comment. The fit (Newton's method with an
L2 penalty, on standardised features) is the site's recalibration: its output reads as
"the probability that this site's moderators reject the comment".
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from service.policy import LABELS, Outcome, Policy, Verdict, decide

SAFETY_NET = ("severe_toxicity", "threat", "identity_attack")
"""Labels whose live hold thresholds still hold under a candidate: a few hundred decisions
rarely hold a threat, so the candidate may not learn to publish one."""
EPSILON = 1e-4
L2 = 1.0
MIN_REJECTS = 10
"""Fewest training comments above the reject threshold before the head may reject."""
REJECT_PRECISION = 0.99
NEVER = 1.01


def logit(score: float) -> float:
    score = min(1 - EPSILON, max(EPSILON, float(score)))
    return math.log(score / (1 - score))


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """``matrix @ x = vector`` by Gaussian elimination with partial pivoting."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda r: abs(rows[r][column]))
        rows[column], rows[pivot] = rows[pivot], rows[column]
        if abs(rows[column][column]) < 1e-12:
            raise ValueError("the features are degenerate")
        for below in range(column + 1, size):
            factor = rows[below][column] / rows[column][column]
            for k in range(column, size + 1):
                rows[below][k] -= factor * rows[column][k]
    solution = [0.0] * size
    for row in range(size - 1, -1, -1):
        known = sum(rows[row][k] * solution[k] for k in range(row + 1, size))
        solution[row] = (rows[row][size] - known) / rows[row][row]
    return solution


def fit_logistic(features: Sequence[Sequence[float]], targets: Sequence[int],
                 l2: float = L2, iterations: int = 50) -> tuple[list[float], float]:
    """Weights and bias of an L2-penalised logistic regression (the bias is not penalised)."""
    width = len(features[0])
    theta = [0.0] * (width + 1)  # weights, then the bias
    rows = [[*row, 1.0] for row in features]
    for _ in range(iterations):
        gradient = [l2 * theta[k] if k < width else 0.0 for k in range(width + 1)]
        hessian = [[(l2 if j == k and k < width else 0.0) for k in range(width + 1)]
                   for j in range(width + 1)]
        for row, target in zip(rows, targets, strict=True):
            z = sum(t * x for t, x in zip(theta, row, strict=True))
            p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
            for j in range(width + 1):
                gradient[j] += (p - target) * row[j]
                weight = p * (1 - p) * row[j]
                for k in range(j, width + 1):
                    hessian[j][k] += weight * row[k]
        for j in range(width + 1):
            for k in range(j):
                hessian[j][k] = hessian[k][j]
        step = _solve(hessian, gradient)
        theta = [t - s for t, s in zip(theta, step, strict=True)]
        if max(abs(s) for s in step) < 1e-8:
            break
    return theta[:width], theta[width]


@dataclass(frozen=True)
class Head:
    """A fitted head: standardised logits -> P(moderators reject), and its two thresholds."""

    labels: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    hold: float
    """At or above this probability the comment is held."""
    reject: float
    """At or above this probability it is rejected (``NEVER``: the head never rejects)."""

    @classmethod
    def fit(cls, scores: Sequence[Mapping[str, float]], rejected: Sequence[bool],
            l2: float = L2) -> Head:
        """The regression alone (thresholds still to fit: ``with_bands``).

        Raises:
            ValueError: when the rows share no label, or hold one class only.
        """
        labels = tuple(label for label in LABELS if all(label in row for row in scores))
        if not labels or len(set(rejected)) < 2:
            raise ValueError("a head needs scored comments that moderators both approved "
                             "and rejected")
        columns = [[logit(row[label]) for row in scores] for label in labels]
        mean = [sum(column) / len(column) for column in columns]
        scale = [max(1e-6, math.sqrt(sum((v - m) ** 2 for v in column) / len(column)))
                 for column, m in zip(columns, mean, strict=True)]
        features = [[(columns[c][r] - mean[c]) / scale[c] for c in range(len(labels))]
                    for r in range(len(scores))]
        weights, bias = fit_logistic(features, [int(flag) for flag in rejected], l2)
        return cls(labels, tuple(mean), tuple(scale), tuple(weights), bias, NEVER, NEVER)

    @property
    def space(self) -> None:
        """A head over the scores alone reads no sentence vector."""
        return None

    def probability(self, scores: Mapping[str, float], vector: Any = None) -> float:
        z = self.bias + sum(
            w * ((logit(scores[label]) - m) / s if label in scores else 0.0)
            for label, m, s, w in zip(self.labels, self.mean, self.scale, self.weights,
                                      strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def drivers(self, scores: Mapping[str, float], most: int = 2) -> tuple[str, ...]:
        """The labels whose scores raise the probability most, strongest first."""
        pushes = {label: w * (logit(scores[label]) - m) / s for label, m, s, w in zip(
            self.labels, self.mean, self.scale, self.weights, strict=True) if label in scores}
        ranked = sorted((label for label, push in pushes.items() if push > 0),
                        key=lambda label: -pushes[label])
        return tuple(ranked[:most])

    def with_bands(self, hold: float, reject: float) -> Head:
        return Head(self.labels, self.mean, self.scale, self.weights, self.bias,
                    round(hold, 6), round(reject, 6))

    def as_params(self) -> dict[str, Any]:
        return {"kind": "logistic-head/1", "labels": list(self.labels), "mean": list(self.mean),
                "scale": list(self.scale), "weights": list(self.weights), "bias": self.bias,
                "hold": self.hold, "reject": self.reject}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Head:
        return cls(tuple(params["labels"]), tuple(params["mean"]), tuple(params["scale"]),
                   tuple(params["weights"]), float(params["bias"]), float(params["hold"]),
                   float(params["reject"]))


def forced(scores: Mapping[str, float], policy: Policy, text: str,
           hold: str | None = None) -> Verdict | None:
    """What the live policy decides whatever the head says: its rejections (reject band,
    banned words), and its holds for the safety-net labels, suspect words, pre-moderation
    (the site's, or ``hold``: why the thread or commenter is pre-moderated)."""
    live = decide(scores, policy, text, hold=hold)
    if live.outcome == Outcome.REJECTED:
        return live
    safety = tuple(label for label in SAFETY_NET
                   if label in scores and scores[label] >= policy.hold.get(label, NEVER))
    if live.outcome == Outcome.HELD and (safety or live.words or policy.hold_everything
                                         or hold):
        return live
    return None


class AnyHead(Protocol):
    """What deciding needs of a head: this one, or ``vector_head.VectorHead``."""

    @property
    def hold(self) -> float: ...

    @property
    def reject(self) -> float: ...

    @property
    def space(self) -> str | None: ...

    def probability(self, scores: Mapping[str, float], vector: Any = None) -> float: ...

    def drivers(self, scores: Mapping[str, float], most: int = 2) -> tuple[str, ...]: ...

    def as_params(self) -> dict[str, Any]: ...


def load_head(params: Mapping[str, Any]) -> AnyHead:
    """The head that a candidate's stored parameters describe, of either kind."""
    if params.get("kind") == "vector-head/1":
        from service.moderation.learning.vector_head import VectorHead

        return VectorHead.from_params(params)
    return Head.from_params(params)


def decide_with(head: AnyHead, name: str, scores: Mapping[str, float], policy: Policy,
                text: str = "", hold: str | None = None, vector: Any = None
                ) -> tuple[Verdict, float]:
    """The candidate's verdict on one comment, and the head's probability. A hold or a
    rejection names the labels that pushed the probability up most (at most two).

    A head that reads sentence vectors, given none, leaves the decision to the live policy
    (probability 0)."""
    verdict = forced(scores, policy, text, hold)
    if head.space is not None and vector is None:
        return verdict or decide(scores, policy, text, hold=hold), 0.0
    probability = head.probability(scores, vector)
    if verdict is not None:
        return verdict, probability
    if probability < head.hold:
        return Verdict(Outcome.APPROVED, f"{name}: moderators would likely approve it "
                                         f"({probability:.2f})"), probability
    drivers = head.drivers(scores)
    mostly = f"; mostly {', '.join(drivers)}" if drivers else ""
    if probability >= head.reject:
        return Verdict(Outcome.REJECTED, f"{name}: moderators would likely reject it "
                                         f"({probability:.2f}){mostly}", drivers), probability
    return Verdict(Outcome.HELD, f"{name}: a moderator should decide ({probability:.2f})"
                                 f"{mostly}", drivers), probability


def fit_bands(probabilities: Sequence[float], rejected: Sequence[bool],
              live_published: Sequence[bool], forced_out: Sequence[bool],
              miss_share: float = 0.02) -> tuple[float, float]:
    """The hold and reject thresholds, fitted on the training rows.

    Hold: the threshold that agrees most with the moderators (published when they
    approved, not published when they rejected) while publishing at most ``miss_share``
    of what they rejected (the site's target), or what the live policy published of it
    on the same rows if that is more. Reject: the lowest threshold at
    which at least ``REJECT_PRECISION`` of ``MIN_REJECTS`` or more rows were rejected by
    them, else ``NEVER``.

    Args:
        probabilities: the head's, per row.
        rejected: whether a moderator rejected the row.
        live_published: whether the live policy published it.
        forced_out: whether the live policy holds or rejects it whatever the head says.
        miss_share: the share of the moderators' rejections that may be published.
    """
    budget = max(sum(1 for r, p in zip(rejected, live_published, strict=True) if r and p),
                 int(miss_share * sum(rejected)))
    free = sorted((q, r) for q, r, f in zip(probabilities, rejected, forced_out, strict=True)
                  if not f)
    agreement = sum(1 for r in rejected if r)  # nothing published: every rejection agrees
    best, hold, missed = agreement, 0.0, 0
    for position, (q, was_rejected) in enumerate(free):
        # publishing every free row up to and including this one
        missed += was_rejected
        agreement += -1 if was_rejected else 1
        if missed > budget:
            break
        following = free[position + 1][0] if position + 1 < len(free) else NEVER
        if following > q and agreement > best:
            best, hold = agreement, (q + following) / 2 if following < NEVER else NEVER
    return hold, reject_band(free, hold)


def reject_band(free: Sequence[tuple[float, bool]], hold: float) -> float:
    """The lowest threshold at or above ``hold`` at which at least ``REJECT_PRECISION`` of
    ``MIN_REJECTS`` or more of the ``(probability, rejected)`` rows were rejected by
    moderators, else ``NEVER`` (never below ``hold``)."""
    reject, count, bad = NEVER, 0, 0
    for q, was_rejected in sorted(free, reverse=True):
        count, bad = count + 1, bad + (not was_rejected)
        if q < hold:
            break
        if count >= MIN_REJECTS and (count - bad) / count >= REJECT_PRECISION:
            reject = q
    return max(reject, hold)
