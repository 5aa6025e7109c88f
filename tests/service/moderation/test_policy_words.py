"""The pure policy's word lists: whole words and phrases, ignoring case."""

from __future__ import annotations

import pytest

from service.policy import LABELS, Outcome, Policy, decide, matched_words

LOW = {"toxicity": 0.01}
POLICY = Policy.from_overrides({"banned_words": ["cheap pills", "casino"],
                                "suspect_words": ["refund", "C++"]})


@pytest.mark.parametrize(("text", "found"), [
    ("Casino night", ("casino",)),
    ("a CASINO.", ("casino",)),
    ("casinos", ()),
    ("the_casino", ()),
    ("cheap\n  pills", ("cheap pills",)),
    ("cheap pillsbury", ()),
    ("", ()),
])
def test_words_match_whole_and_ignoring_case(text, found):
    assert matched_words(text, POLICY.banned_words) == found


def test_words_with_symbols_match_too():
    assert matched_words("I write C++ daily", POLICY.suspect_words) == ("C++",)


def test_a_banned_word_rejects_and_outweighs_a_suspect_one():
    verdict = decide(LOW, POLICY, text="Refund at the casino")
    assert verdict == decide(LOW, POLICY, "Refund at the casino")
    assert verdict.outcome == Outcome.REJECTED
    assert verdict.words == ("casino",) and verdict.reason == "banned word: casino"


def test_a_suspect_word_holds_and_scores_are_named_beside_it():
    verdict = decide({"toxicity": 0.6}, POLICY, text="I want a refund")
    assert verdict.outcome == Outcome.HELD
    assert verdict.reason == "score above hold threshold: toxicity; suspect word: refund"


def test_without_text_the_policy_decides_as_before():
    assert decide(LOW, POLICY) == decide(LOW, Policy())
    assert Policy().as_dict().keys() == {"target", "hold", "reject", "hold_everything",
                                         "unscored_languages"}
    assert POLICY.as_dict()["banned_words"] == ["cheap pills", "casino"]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"banned_words": "casino"}, "must be a list of words"),
    ({"suspect_words": [3]}, "must hold text only"),
    ({"banned_words": ["x" * 101]}, "longer than 100"),
    ({"bad_words": []}, "unknown policy keys: bad_words"),
    ({"target": "3%"}, "unknown target '3%'"),
])
def test_word_lists_are_checked(overrides, message):
    with pytest.raises(ValueError, match=message):
        Policy.from_overrides(overrides)


def test_word_lists_are_trimmed_and_deduplicated():
    policy = Policy.from_overrides({"banned_words": ["  Casino ", "casino", "", "cheap  pills"]})
    assert policy.banned_words == ("Casino", "cheap pills")


def test_a_hold_on_toxicity_names_the_most_likely_kind():
    others = {label: 0.9 for label in LABELS if label != "toxicity"}
    policy = Policy.from_overrides({"hold": {"toxicity": 0.3, **others}, "reject": others})
    hold = 0.3
    insulting = decide({"toxicity": hold, "insult": 0.6, "obscene": 0.55}, policy)
    assert insulting.outcome == Outcome.HELD and insulting.labels == ("toxicity",)
    assert insulting.reason == "score above hold threshold: toxicity (most likely insult)"
    assert decide({"toxicity": hold, "insult": 0.4}, policy).reason == \
        "score above hold threshold: toxicity"


def test_a_comment_the_model_cannot_read_follows_the_sites_language_setting() -> None:
    calm = dict.fromkeys(LABELS, 0.0)
    held = decide(calm, Policy(), "Bonjour à tous", unscored="fr")
    assert held.outcome == Outcome.HELD and held.reason == "language not scored: fr"
    published = decide(calm, Policy(unscored_languages="publish"), "Bonjour", unscored="fr")
    assert published.outcome == Outcome.APPROVED
    banned = Policy(unscored_languages="publish", banned_words=("casino",))
    assert decide(calm, banned, "Le casino", unscored="fr").outcome == Outcome.REJECTED
    premoderated = decide(calm, Policy(unscored_languages="publish"), "Bonjour", hold="thread",
                          unscored="fr")
    assert premoderated.outcome == Outcome.HELD
    scored = decide(dict.fromkeys(LABELS, 1.0), Policy(unscored_languages="score"), "x",
                    unscored="fr")
    assert scored.outcome == Outcome.REJECTED
    assert decide(calm, Policy(), "Hello there", unscored=None).outcome == Outcome.APPROVED
    with pytest.raises(ValueError, match="unscored_languages"):
        Policy.from_overrides({"unscored_languages": "translate"})
