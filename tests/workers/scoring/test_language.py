"""The worker's language detection, on sentences written for the test."""

from __future__ import annotations

import pytest

from workers.scoring.language import UNDETERMINED, detect, unscored

WRITTEN = [
    ("en", "I disagree with the council: the new parking rules will hurt the shops downtown."),
    ("en", "THE MAYOR SHOULD LISTEN TO THE PEOPLE WHO LIVE ON THIS STREET BEFORE VOTING."),
    ("fr", "Je ne suis pas d'accord avec le maire, la nouvelle loi nuit aux petits commerces."),
    ("de", "Ich finde es richtig, dass die Stadt endlich mehr Radwege baut, auch wenn es dauert."),
    ("es", "Gracias por el artículo, explica muy bien la situación de la vivienda en la ciudad."),
    ("it", "Non sono d'accordo con il sindaco, la nuova legge danneggia i piccoli negozi."),
]


@pytest.mark.parametrize(("language", "text"), WRITTEN)
def test_a_comment_long_enough_is_given_its_language(language: str, text: str) -> None:
    assert detect(text) == language


@pytest.mark.parametrize("text", ["", "Merci !", "12345 67890 !!!", "ok 👍👍👍👍👍👍👍👍👍👍👍👍"])
def test_a_comment_too_short_to_tell_is_undetermined_and_scored(text: str) -> None:
    assert detect(text) == UNDETERMINED
    assert unscored(detect(text), "news-minilm-2") is None


def test_only_a_language_the_model_does_not_read_goes_unscored() -> None:
    assert unscored("fr", "news-minilm-2") == "fr"
    assert unscored("en", "news-minilm-2") is None
    assert unscored("fr", "multilingual") is None
