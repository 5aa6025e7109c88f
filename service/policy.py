"""The moderation policy: per-label scores in, one of three bands out.

A pure function with no I/O, so that it can be tested exhaustively and reasoned
about: a comment is *rejected* when any label reaches its reject threshold, *held*
for a moderator when any label reaches its hold threshold, and *approved*
(published) otherwise. A label the model does not produce is ignored.

The site's admins may also list banned words (the comment is rejected) and suspect
words (it is held); each matches as a whole word or phrase, ignoring case.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from service.text import skeleton

MODEL_ACTOR = "model"
"""The actor of the decisions the model takes (a moderator's name is never this)."""

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


# Default thresholds, calibrated for the default model (`jigsaw-minilm`, see
# docs/model.md; `moderation model calibrate --split validation` re-derives them) on
# the validation split of the Jigsaw data. The hold band is the safety net: it lets
# through at most 2% of the comments labelled toxic (1.8% there; 2.5% when fitted on
# one half and measured on the other) while holding as few clean ones as possible
# (21%); no hold threshold is above 0.5. The reject band is set where the model is
# almost never wrong (99% of the rejected are toxic), so that people decide every
# doubtful case; 1.0 means no automatic rejection on that label. The scores of this
# model are sharp, hence low values for the rarer labels; another model (another
# MODERATION_MODEL) needs its own thresholds. `sexual_explicit` is not calibrated:
# this model does not produce it.
DEFAULT_HOLD: Mapping[str, float] = {
    "toxicity": 0.50,
    "severe_toxicity": 0.005,
    "obscene": 0.50,
    "threat": 0.50,
    "insult": 0.01,
    "identity_attack": 0.50,
    "sexual_explicit": 0.50,
}
DEFAULT_REJECT: Mapping[str, float] = {
    "toxicity": 0.945,
    "severe_toxicity": 0.07,
    "obscene": 0.914,
    "threat": 1.0,
    "insult": 0.592,
    "identity_attack": 0.759,
    "sexual_explicit": 0.95,
}


@dataclass(frozen=True)
class Policy:
    """Per-label thresholds of the hold and reject bands (scores are in [0, 1])."""

    hold: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HOLD))
    reject: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_REJECT))
    hold_everything: bool = False
    banned_words: tuple[str, ...] = ()
    """Words or phrases that reject a comment."""
    suspect_words: tuple[str, ...] = ()
    """Words or phrases that hold a comment for a moderator."""

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, object] | None = None) -> Policy:
        """Defaults updated with ``{"hold": {...}, "reject": {...}, "hold_everything": bool,
        "banned_words": [...], "suspect_words": [...]}``.

        Raises:
            ValueError: for an unknown label or band, a threshold outside [0, 1], or a
                word list that is not a list of words.
        """
        overrides = dict(overrides or {})
        unknown = set(overrides) - {"hold", "reject", "hold_everything", *WORD_LISTS}
        if unknown:
            raise ValueError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        bands = {"hold": dict(DEFAULT_HOLD), "reject": dict(DEFAULT_REJECT)}
        for band, thresholds in bands.items():
            band_overrides = overrides.get(band) or {}
            if not isinstance(band_overrides, Mapping):
                raise ValueError(f"{band} thresholds must map labels to numbers")
            for label, value in band_overrides.items():
                if label not in LABELS:
                    raise ValueError(f"unknown label in {band} thresholds: {label!r}")
                if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                    raise ValueError(f"{band} threshold of {label} must be a number in [0, 1]")
                thresholds[label] = float(value)
        words = {name: word_list(_words(overrides.get(name) or (), name), name)
                 for name in WORD_LISTS}
        return cls(bands["hold"], bands["reject"], bool(overrides.get("hold_everything")),
                   **words)

    def as_dict(self) -> dict[str, object]:
        """The thresholds as recorded with each decision (word lists only when set)."""
        recorded: dict[str, object] = {
            "hold": dict(self.hold),
            "reject": dict(self.reject),
            "hold_everything": self.hold_everything,
        }
        for name in WORD_LISTS:
            if words := getattr(self, name):
                recorded[name] = list(words)
        return recorded


WORD_LISTS = ("banned_words", "suspect_words")
MAX_WORDS = 1000
MAX_WORD_LENGTH = 100


def _words(value: object, name: str) -> Iterable[object]:
    if not isinstance(value, Iterable):
        raise ValueError(f"{name} must be a list of words")
    return value


def word_list(words: Iterable[object], name: str = "words") -> tuple[str, ...]:
    """Clean a list of words or phrases: trimmed, spaces squeezed, no repeats (as skeletons).

    Raises:
        ValueError: for an item that is not text, or one too long, or too many items.
    """
    if isinstance(words, str):
        raise ValueError(f"{name} must be a list of words, not one string")
    cleaned: dict[str, str] = {}
    for word in words:
        if not isinstance(word, str):
            raise ValueError(f"{name} must hold text only")
        word = " ".join(word.split())
        if len(word) > MAX_WORD_LENGTH:
            raise ValueError(f"{name}: {word[:20]!r}... is longer than {MAX_WORD_LENGTH} "
                             "characters")
        if word:
            cleaned.setdefault(skeleton(word), word)
    if len(cleaned) > MAX_WORDS:
        raise ValueError(f"{name} holds more than {MAX_WORDS} words")
    return tuple(cleaned.values())


def matched_words(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The ``words`` found in ``text`` as whole words or phrases, compared as skeletons
    (``service.text``: case, invisible characters and look-alikes ignored)."""
    if not text or not words:
        return ()
    pattern, spelled = _word_pattern(tuple(words))
    found = dict.fromkeys(spelled[match.group(0)] for match in
                          pattern.finditer(skeleton(text)))
    return tuple(found)


@functools.lru_cache(maxsize=64)
def _word_pattern(words: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    spelled = {skeleton(word): word for word in words if skeleton(word)}
    alternatives = sorted(spelled, key=len, reverse=True)
    body = "|".join(re.escape(word) for word in alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)"), spelled


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str
    labels: tuple[str, ...] = ()
    """The labels whose scores caused a hold or a rejection."""
    words: tuple[str, ...] = ()
    """The banned or suspect words that caused it."""


def decide(scores: Mapping[str, float], policy: Policy, text: str = "") -> Verdict:
    """Map one comment's per-label scores, and its ``text``, to a verdict under ``policy``."""
    rejecting = _reached(scores, policy.reject)
    banned = matched_words(text, policy.banned_words)
    if rejecting or banned:
        return Verdict(Outcome.REJECTED, _reason("reject", rejecting, "banned", banned),
                       rejecting, banned)
    holding = _reached(scores, policy.hold)
    suspect = matched_words(text, policy.suspect_words)
    if holding or suspect:
        return Verdict(Outcome.HELD, _reason("hold", holding, "suspect", suspect), holding,
                       suspect)
    if policy.hold_everything:
        return Verdict(Outcome.HELD, "pre-moderation: every comment is held")
    return Verdict(Outcome.APPROVED, "all scores below hold thresholds")


def _reason(band: str, labels: tuple[str, ...], kind: str, words: tuple[str, ...]) -> str:
    parts = [f"score above {band} threshold: " + ", ".join(labels)] if labels else []
    if words:
        parts.append(f"{kind} word{'s' if len(words) > 1 else ''}: " + ", ".join(words))
    return "; ".join(parts)


def _reached(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> tuple[str, ...]:
    return tuple(
        label for label in LABELS
        if label in scores and label in thresholds and scores[label] >= thresholds[label]
    )
