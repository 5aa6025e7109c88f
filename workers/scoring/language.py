"""Which language a comment is in, so that one the model cannot read is not scored as if it could.

``py3langid`` (a maintained, numpy-only fork of langid.py, about 0.1 ms a comment)
names the language; a comment counts as in another language only when the detector is
sure (probability at least ``MIN_PROBABILITY``) and the text is long enough to tell
(``MIN_LETTERS``). Otherwise it is ``und`` (undetermined) and scored: on 3,000 English
news comments of ``../shared/data``, one was called something else at this confidence.
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
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str:
    """The ISO 639-1 code of ``text``'s language, or ``und`` when too short or unsure."""
    if sum(character.isalpha() for character in text) < MIN_LETTERS:
        return UNDETERMINED
    language, probability = _identifier().classify(text)
    return str(language) if probability >= MIN_PROBABILITY else UNDETERMINED


def unscored(language: str, model_name: str) -> str | None:
    """``language`` when the model does not read it (and it is known), else None."""
    if language == UNDETERMINED or language in model_languages(model_name):
        return None
    return language
