"""The moderation policy: per-label scores in, one of three bands out.

A pure function with no I/O, so that it can be tested exhaustively and reasoned
about: a comment is *rejected* when any label reaches its reject threshold, *held*
for a moderator when any label reaches its hold threshold, and *approved*
(published) otherwise. A label the model does not produce is ignored.

The thresholds come from a site's *target* (``TARGETS``, fitted for the default
model's calibrated scores on news comments): a *queue budget* holds at most that share
of civil comments (2%, 5%, 10%), a *safety target* publishes at most that share of toxic
comments (5%, 10%, 20%). Or they are set by hand.

The site's admins may also list banned words (the comment is rejected) and suspect
words (it is held); each matches as a whole word or phrase, ignoring case. A comment in
a language the model does not read is held, scored anyway or published, as the site's
``unscored_languages`` says.
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
RESCORING_ACTOR = "rescoring"
"""The actor of the model's later decisions on a comment, when a bulk rescoring decides it
again with a new model, candidate or thresholds (``MODEL_ACTOR`` decides each comment once)."""

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


@dataclass(frozen=True)
class Target:
    """A site's choice, and what it costs on the other side.

    A *queue budget* (``kind`` ``queue``) holds at most ``level`` of the civil comments,
    publishing as few toxic ones as that allows; a *safety target* (``safety``) publishes
    at most ``level`` of the toxic comments, holding as few civil ones as that allows.

    Fitted for the default model (``news-minilm-3``) by ``moderation model targets`` on
    the fit half of the natural-balance news comments and measured on their report half,
    which neither training nor the fit saw (docs/model.md). The scores are calibrated
    probabilities; ``toxicity`` decides publish or hold, the safety-net labels
    (``severe_toxicity``, ``threat``, ``identity_attack``) also hold at every target,
    above where 99.5% of clean comments score; ``obscene`` and ``insult`` hold only where
    they reject; every label rejects where 99% of the rejected were toxic. Another model
    (another ``MODERATION_MODEL``) needs its own thresholds.
    """

    kind: str
    """``queue`` or ``safety``."""
    level: float
    toxic_published: float
    """The share of toxic news comments published, measured on the report half."""
    clean_held: float
    """The share of civil news comments held or rejected, measured on the report half."""
    hold: Mapping[str, float]
    reject: Mapping[str, float]

    @property
    def name(self) -> str:
        """``"queue 5%"``, ``"safety 10%"``: how sites and the settings name it."""
        return f"{self.kind} {100 * self.level:g}%"

    @property
    def summary(self) -> str:
        """The choice in plain words."""
        if self.kind == "queue":
            return f"Hold at most {100 * self.level:g}% of civil comments"
        return f"Publish at most {100 * self.level:g}% of toxic comments"


# Fitted for news-minilm-3 by `moderation model targets` (its output, with the figures, is
# workers/scoring/weights/news-minilm-3.calibration.json); the targets differ only in the
# toxicity hold threshold. `sexual_explicit` is not produced by this model.
_HOLD_OTHERS = {"severe_toxicity": 0.0274, "obscene": 0.6508, "threat": 0.2162,
                "insult": 0.7042, "identity_attack": 0.2475, "sexual_explicit": 1.0}
_REJECT = {"toxicity": 0.9565, "severe_toxicity": 0.0511, "obscene": 0.6508, "threat": 1.0,
           "insult": 0.7042, "identity_attack": 0.5145, "sexual_explicit": 1.0}
TARGETS: Mapping[str, Target] = {target.name: target for target in (
    Target("queue", 0.02, 0.756, 0.010, {**_HOLD_OTHERS, "toxicity": 0.6998}, _REJECT),
    Target("queue", 0.05, 0.320, 0.052, {**_HOLD_OTHERS, "toxicity": 0.5287}, _REJECT),
    Target("queue", 0.10, 0.211, 0.103, {**_HOLD_OTHERS, "toxicity": 0.3228}, _REJECT),
    Target("safety", 0.01, 0.008, 0.563, {**_HOLD_OTHERS, "toxicity": 0.1084}, _REJECT),
    Target("safety", 0.02, 0.018, 0.492, {**_HOLD_OTHERS, "toxicity": 0.1214}, _REJECT),
    Target("safety", 0.05, 0.030, 0.356, {**_HOLD_OTHERS, "toxicity": 0.1466}, _REJECT),
    Target("safety", 0.10, 0.119, 0.152, {**_HOLD_OTHERS, "toxicity": 0.3227}, _REJECT),
    Target("safety", 0.20, 0.244, 0.078, {**_HOLD_OTHERS, "toxicity": 0.5035}, _REJECT),
)}
CHOICES: tuple[str, ...] = ("queue 2%", "queue 5%", "queue 10%", "safety 5%", "safety 10%",
                            "safety 20%")
"""The targets the settings offer (the others are kept for sites that chose them before)."""
ALIASES: Mapping[str, str] = {"1%": "safety 1%", "2%": "safety 2%", "5%": "safety 5%"}
"""Targets saved by earlier versions ("at most N% of toxic comments published")."""
DEFAULT_TARGET = "queue 5%"
DEFAULT_HOLD: Mapping[str, float] = TARGETS[DEFAULT_TARGET].hold
DEFAULT_REJECT: Mapping[str, float] = TARGETS[DEFAULT_TARGET].reject
UNSCORED_LANGUAGES = ("hold", "score", "publish")
"""What a site does with a comment in a language its model does not read."""
LANGUAGE_NOT_SCORED = "language not scored"


def target_named(name: str) -> Target:
    """The target called ``name`` (or an earlier version's alias of it).

    Raises:
        KeyError: for an unknown name.
    """
    return TARGETS[ALIASES.get(name, name)]


@dataclass(frozen=True)
class Policy:
    """Per-label thresholds of the hold and reject bands (scores are in [0, 1])."""

    hold: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_HOLD))
    reject: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_REJECT))
    target: str | None = DEFAULT_TARGET
    """The ``TARGETS`` entry the thresholds come from; None: thresholds set by hand."""
    hold_everything: bool = False
    unscored_languages: str = "hold"
    """``hold``, ``score`` or ``publish`` a comment in a language the model does not read."""
    banned_words: tuple[str, ...] = ()
    """Words or phrases that reject a comment."""
    suspect_words: tuple[str, ...] = ()
    """Words or phrases that hold a comment for a moderator."""

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, object] | None = None) -> Policy:
        """A target's thresholds updated with ``{"target": "queue 5%" | None, "hold": {...},
        "reject": {...}, "hold_everything": bool, "unscored_languages": "hold" | "score" |
        "publish", "banned_words": [...], "suspect_words": [...]}``.

        Without ``target``, thresholds given by hand make the policy custom (``None``);
        with none given it is ``DEFAULT_TARGET``.

        Raises:
            ValueError: for an unknown key, target, label or band, a threshold outside
                [0, 1], or a word list that is not a list of words.
        """
        overrides = dict(overrides or {})
        unknown = set(overrides) - {"target", "hold", "reject", "hold_everything",
                                    "unscored_languages", *WORD_LISTS}
        if unknown:
            raise ValueError(f"unknown policy keys: {', '.join(sorted(unknown))}")
        by_hand = bool(overrides.get("hold") or overrides.get("reject"))
        chosen = overrides.get("target", None if by_hand else DEFAULT_TARGET)
        if chosen is not None and (not isinstance(chosen, str)
                                   or ALIASES.get(chosen, chosen) not in TARGETS):
            raise ValueError(f"unknown target {chosen!r}; expected one of "
                             f"{', '.join(CHOICES)} or null")
        target: str | None = chosen
        base = target_named(target or DEFAULT_TARGET)
        bands = {"hold": dict(base.hold), "reject": dict(base.reject)}
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
        if bands != {"hold": base.hold, "reject": base.reject}:
            target = None  # thresholds changed by hand: no longer the target's
        languages = overrides.get("unscored_languages") or "hold"
        if languages not in UNSCORED_LANGUAGES:
            raise ValueError(f"unscored_languages must be one of {', '.join(UNSCORED_LANGUAGES)}")
        words = {name: word_list(_words(overrides.get(name) or (), name), name)
                 for name in WORD_LISTS}
        return cls(bands["hold"], bands["reject"], target, bool(overrides.get("hold_everything")),
                   str(languages), **words)

    def as_dict(self) -> dict[str, object]:
        """The thresholds as recorded with each decision (word lists only when set)."""
        recorded: dict[str, object] = {
            "target": self.target,
            "hold": dict(self.hold),
            "reject": dict(self.reject),
            "hold_everything": self.hold_everything,
            "unscored_languages": self.unscored_languages,
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


def decide(scores: Mapping[str, float], policy: Policy, text: str = "",
           hold: str | None = None, unscored: str | None = None) -> Verdict:
    """Map one comment's per-label scores, and its ``text``, to a verdict under ``policy``.

    ``hold``, when given, is why the comment is pre-moderated whatever its scores (its
    thread or commenter is, see ``service.commenters.premoderation``): a comment that
    would be published is held with that reason instead; a rejection stays.

    ``unscored``, when given, is the language of a comment that the model does not read:
    unless the site scores it anyway, its scores mean nothing, so it is held (or published)
    as the site says; banned words still reject it, and pre-moderation still holds it.
    """
    if unscored is not None and policy.unscored_languages != "score":
        return _unscored(policy, text, hold, unscored)
    rejecting = _reached(scores, policy.reject)
    banned = matched_words(text, policy.banned_words)
    if rejecting or banned:
        return Verdict(Outcome.REJECTED, _reason("reject", rejecting, "banned", banned),
                       rejecting, banned)
    holding = _reached(scores, policy.hold)
    suspect = matched_words(text, policy.suspect_words)
    if holding or suspect:
        reason = _reason("hold", holding, "suspect", suspect)
        if holding == ("toxicity",) and (kind := _likely_kind(scores)):
            reason = reason.replace("toxicity", f"toxicity (most likely {kind})", 1)
        return Verdict(Outcome.HELD, reason, holding, suspect)
    if policy.hold_everything:
        return Verdict(Outcome.HELD, "pre-moderation: every comment is held")
    if hold:
        return Verdict(Outcome.HELD, hold)
    return Verdict(Outcome.APPROVED, "all scores below hold thresholds")


def _unscored(policy: Policy, text: str, hold: str | None, language: str) -> Verdict:
    """The verdict on a comment in ``language``, which the model does not read."""
    reason = f"{LANGUAGE_NOT_SCORED}: {language}"
    if banned := matched_words(text, policy.banned_words):
        return Verdict(Outcome.REJECTED, _reason("reject", (), "banned", banned), (), banned)
    if suspect := matched_words(text, policy.suspect_words):
        return Verdict(Outcome.HELD, _reason("hold", (), "suspect", suspect), (), suspect)
    if policy.unscored_languages == "hold":
        return Verdict(Outcome.HELD, reason)
    if policy.hold_everything:
        return Verdict(Outcome.HELD, "pre-moderation: every comment is held")
    if hold:
        return Verdict(Outcome.HELD, hold)
    return Verdict(Outcome.APPROVED, f"{reason} (published by the site's setting)")


def _likely_kind(scores: Mapping[str, float]) -> str | None:
    """The kind of toxicity a comment held on ``toxicity`` alone most likely is: the other
    label with the highest score, if it is more likely than not."""
    kinds = {label: score for label, score in scores.items()
             if label in LABELS and label != "toxicity" and score >= 0.5}
    return max(kinds, key=kinds.__getitem__).replace("_", " ") if kinds else None


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
