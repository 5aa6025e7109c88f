"""The candidate that reads the comment: a logistic regression over its sentence vector
and the logits of its label scores, applied with numpy alone.

Fitted by ``learning.fitting`` (scikit-learn); what it needs to decide is stored as JSON
in the candidate's row (the scaler's mean and scale, the coefficients and intercept), so
the scoring path imports no scikit-learn. Its probability is the balanced regression's
score that moderators reject the comment; the thresholds were chosen on out-of-fold
scores for the site's target, so that they mean what they say on comments it never saw.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy

from service.moderation.learning.head import logit

KIND = "vector-head/1"


def features(scores: Mapping[str, float], vector: Any, labels: Sequence[str]) -> Any:
    """One row: the vector, then each label's score logit (a missing label: 0)."""
    logits = [logit(scores[label]) if label in scores else 0.0 for label in labels]
    return numpy.concatenate([numpy.asarray(vector, dtype=numpy.float64).ravel(),
                              numpy.asarray(logits, dtype=numpy.float64)])


@dataclass(frozen=True)
class VectorHead:
    """Standardised ``features`` -> P(moderators reject), and its two thresholds."""

    space: str
    """The sentence vectors' space it reads (``workers.scoring.vectors.space``)."""
    labels: tuple[str, ...]
    mean: Any
    scale: Any
    coef: Any
    intercept: float
    hold: float
    reject: float
    C: float = 1.0
    score_weight: float = 1.0
    """How much the score logits were weighed up (already folded into ``scale``)."""

    def probabilities(self, rows: Any) -> Any:
        """P(reject) of each row of the feature matrix ``rows``."""
        z = (numpy.atleast_2d(rows) - self.mean) / self.scale @ self.coef + self.intercept
        return 1 / (1 + numpy.exp(-numpy.clip(z, -30, 30)))

    def probability(self, scores: Mapping[str, float], vector: Any = None) -> float:
        if vector is None:
            raise ValueError(f"this candidate reads sentence vectors of {self.space}")
        return float(self.probabilities(features(scores, vector, self.labels))[0])

    def drivers(self, scores: Mapping[str, float], most: int = 2) -> tuple[str, ...]:
        """The labels whose scores push the probability up most, strongest first (the
        vector's part has no name a moderator would read)."""
        width = len(self.labels)
        pushes = {label: float(w * (logit(scores[label]) - m) / s) for label, m, s, w in zip(
            self.labels, self.mean[-width:], self.scale[-width:], self.coef[-width:],
            strict=True) if label in scores}
        ranked = sorted((label for label, push in pushes.items() if push > 0),
                        key=lambda label: -pushes[label])
        return tuple(ranked[:most])

    def with_bands(self, hold: float, reject: float) -> VectorHead:
        return VectorHead(self.space, self.labels, self.mean, self.scale, self.coef,
                          self.intercept, round(hold, 6), round(reject, 6), self.C,
                          self.score_weight)

    def as_params(self) -> dict[str, Any]:
        return {"kind": KIND, "space": self.space, "labels": list(self.labels),
                "mean": _floats(self.mean), "scale": _floats(self.scale),
                "coef": _floats(self.coef), "intercept": float(self.intercept),
                "hold": self.hold, "reject": self.reject, "C": float(self.C),
                "score_weight": float(self.score_weight)}

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> VectorHead:
        return cls(str(params["space"]), tuple(params["labels"]),
                   numpy.asarray(params["mean"], dtype=numpy.float64),
                   numpy.asarray(params["scale"], dtype=numpy.float64),
                   numpy.asarray(params["coef"], dtype=numpy.float64),
                   float(params["intercept"]), float(params["hold"]),
                   float(params["reject"]), float(params.get("C", 1.0)),
                   float(params.get("score_weight", 1.0)))


def _floats(values: Any) -> list[float]:
    return [float(f"{float(v):.7g}") if math.isfinite(float(v)) else 0.0 for v in values]
