"""The moderation policy: per-label scores in, one of three bands out.

A pure function with no I/O, so that it can be tested exhaustively and reasoned
about: a comment is *rejected* when any label reaches its reject threshold, *held*
for a moderator when any label reaches its hold threshold, and *approved*
(published) otherwise. A label the model does not produce is ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

LABELS = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
)


class Outcome(StrEnum):
    APPROVED = "approved"
    HELD = "held"
    REJECTED = "rejected"


# Default thresholds. The hold band is the safety net: its thresholds are set low
# enough that the publish band lets through at most ~2% of the comments labelled
# toxic in the validation split of the Jigsaw data, while holding as few clean ones
# as possible (see the README, "Thresholds"). The reject band is set high, where the
# model is almost never wrong, so that people decide every doubtful case:
# automatic rejection is reserved for severe, explicit cases.
DEFAULT_HOLD: Mapping[str, float] = {
    "toxicity": 0.30,
    "severe_toxicity": 0.20,
    "obscene": 0.30,
    "threat": 0.20,
    "insult": 0.30,
    "identity_attack": 0.20,
    "sexual_explicit": 0.30,
}
DEFAULT_REJECT: Mapping[str, float] = {
    "toxicity": 0.95,
    "severe_toxicity": 0.60,
    "obscene": 0.95,
    "threat": 0.80,
    "insult": 0.95,
    "identity_attack": 0.80,
    "sexual_explicit": 0.95,
}


@dataclass(frozen=True)
class Policy:
    """Per-label thresholds of the hold and reject bands (scores are in [0, 1])."""

    hold: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HOLD))
    reject: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_REJECT))
    hold_everything: bool = False

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, object] | None = None) -> Policy:
        """Defaults updated with ``{"hold": {...}, "reject": {...}, "hold_everything": bool}``.

        Raises:
            ValueError: for an unknown label or band, or a threshold outside [0, 1].
        """
        overrides = dict(overrides or {})
        unknown = set(overrides) - {"hold", "reject", "hold_everything"}
        if unknown:
            raise ValueError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        bands = {"hold": dict(DEFAULT_HOLD), "reject": dict(DEFAULT_REJECT)}
        for band, thresholds in bands.items():
            for label, value in dict(overrides.get(band) or {}).items():
                if label not in LABELS:
                    raise ValueError(f"unknown label in {band} thresholds: {label!r}")
                if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                    raise ValueError(f"{band} threshold of {label} must be a number in [0, 1]")
                thresholds[label] = float(value)
        return cls(bands["hold"], bands["reject"], bool(overrides.get("hold_everything")))

    def as_dict(self) -> dict[str, object]:
        """The thresholds as recorded with each decision."""
        return {
            "hold": dict(self.hold),
            "reject": dict(self.reject),
            "hold_everything": self.hold_everything,
        }


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str
    labels: tuple[str, ...] = ()
    """The labels whose scores caused a hold or a rejection."""


def decide(scores: Mapping[str, float], policy: Policy) -> Verdict:
    """Map one comment's per-label scores to a verdict under ``policy``."""
    rejecting = _reached(scores, policy.reject)
    if rejecting:
        return Verdict(Outcome.REJECTED, "score above reject threshold: " + ", ".join(rejecting),
                       rejecting)
    holding = _reached(scores, policy.hold)
    if holding:
        return Verdict(Outcome.HELD, "score above hold threshold: " + ", ".join(holding), holding)
    if policy.hold_everything:
        return Verdict(Outcome.HELD, "pre-moderation: every comment is held")
    return Verdict(Outcome.APPROVED, "all scores below hold thresholds")


def _reached(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(
        label for label in LABELS
        if label in scores and label in thresholds and scores[label] >= thresholds[label]
    )
