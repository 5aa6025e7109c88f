"""Calibration: a model's raw scores mapped to probabilities that thresholds can read as such.

Each label has a monotone piecewise-linear map, fitted by isotonic regression on
validation comments (``modelkit.calibrate.fit_calibration``) and shipped as JSON
beside the weights: ``{"labels": {label: {"x": [...], "y": [...]}}}``. A label without
a map keeps its raw score. Pure Python, so that a scoring worker needs no numpy for it.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TIE_BREAK = 1e-6
"""Isotonic maps are flat in places; a little of the raw score keeps the order within them."""


@dataclass(frozen=True)
class LabelMap:
    """Knots of one label's map: raw scores ``x`` (increasing) to probabilities ``y``."""

    x: tuple[float, ...]
    y: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.x) != len(self.y) or len(self.x) < 2:
            raise ValueError("a calibration map needs two or more (x, y) knots")
        if any(b < a for a, b in zip(self.x, self.x[1:], strict=False)) or any(
                b < a for a, b in zip(self.y, self.y[1:], strict=False)):
            raise ValueError("a calibration map must be non-decreasing")

    def __call__(self, score: float) -> float:
        x, y = self.x, self.y
        if score <= x[0]:
            value = y[0]
        elif score >= x[-1]:
            value = y[-1]
        else:
            right = bisect.bisect_right(x, score)
            x0, x1, y0, y1 = x[right - 1], x[right], y[right - 1], y[right]
            value = y0 + (y1 - y0) * (score - x0) / (x1 - x0) if x1 > x0 else y1
        return min(1.0, max(0.0, value * (1 - TIE_BREAK) + score * TIE_BREAK))


@dataclass(frozen=True)
class Calibration:
    """Per-label maps from raw scores to calibrated probabilities."""

    maps: Mapping[str, LabelMap]

    @classmethod
    def from_json(cls, raw: str) -> Calibration:
        """Read the JSON that ``modelkit.calibrate`` writes.

        Raises:
            ValueError: when it is not a valid calibration.
        """
        labels = json.loads(raw).get("labels")
        if not isinstance(labels, dict):
            raise ValueError("a calibration file holds {\"labels\": {label: {\"x\", \"y\"}}}")
        return cls({label: LabelMap(tuple(map(float, knots["x"])), tuple(map(float, knots["y"])))
                    for label, knots in labels.items()})

    @classmethod
    def from_file(cls, path: str | Path) -> Calibration:
        return cls.from_json(Path(path).read_text())

    def __call__(self, scores: Mapping[str, float]) -> dict[str, float]:
        """Calibrated scores of one comment."""
        return {label: self.maps[label](score) if label in self.maps else score
                for label, score in scores.items()}

    def apply_all(self, scores: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
        return [self(row) for row in scores]
