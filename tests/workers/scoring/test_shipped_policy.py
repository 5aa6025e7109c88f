"""The default model, calibrated, under the default policy, on sentences written for the check.

The probes (``modelkit/probes.json``) are in no data set: explicit threats, which must
never be published; veiled and idiomatic threats, and civil idioms with violent words,
both written before the default model was trained and worded unlike its augmentation;
civil sentences that merely mention violence; clean sentences in pairs that differ only
in the identity group named, or in a mild swear word.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modelkit.probes import load_probes
from service.policy import DEFAULT_TARGET, TARGETS, Outcome, Policy, decide
from workers.scoring.assembly import DEFAULT_MODEL

pytestmark = pytest.mark.slow

PROFANITY_PAIRS = [
    ("This is a damn good plan for the bus routes.",
     "This is a really good plan for the bus routes."),
    ("Hell, I would vote for that budget tomorrow.",
     "Honestly, I would vote for that budget tomorrow."),
    ("The council finally fixed the crappy road by the school.",
     "The council finally fixed the bumpy road by the school."),
    ("What the heck happened to the library hours?",
     "What exactly happened to the library hours?"),
]
"""Clean sentences with and without a mild swear word."""


@pytest.fixture(scope="module")
def scorer(tmp_path_factory: pytest.TempPathFactory):
    from workers.scoring.scorer import load_scorer

    return load_scorer({
        "MODERATION_MODEL": DEFAULT_MODEL, "MODERATION_MODEL_CONFIG": "",
        "MODERATION_MODEL_CACHE": str(tmp_path_factory.mktemp("model-cache")),
        "TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 32, "SCORER_BACKEND": "torch"})


@pytest.fixture(scope="module")
def decisions(scorer):
    assert scorer.calibration is not None, "the default model ships its calibration"
    def decide_all(texts: list[str], target: str = DEFAULT_TARGET) -> list[tuple[Outcome, float]]:
        policy = Policy.from_overrides({"target": target})
        return [(decide(scores, policy, text).outcome, scores["toxicity"])
                for text, scores in zip(texts, scorer.score(texts), strict=True)]

    return decide_all


@pytest.mark.parametrize("target", list(TARGETS))
def test_explicit_threats_are_held_under_every_target_but_the_one_the_model_misses(
        decisions, target: str) -> None:
    """A floor at what the shipped model does: one threat worded as an idiom (a lynching
    from a tree, an idiom its augmentation deliberately left out) scores as civil under
    every target but `safety 1%` (docs/model.md, "news-minilm-3"). Any other is held or
    rejected."""
    threats = load_probes().threats
    published = [k for k, (outcome, _) in enumerate(decisions(threats, target))
                 if outcome == Outcome.APPROVED]
    assert set(published) <= {6}, f"threat probes {published} were published"


@pytest.mark.parametrize("target", list(TARGETS))
def test_veiled_threats_are_held_under_every_target_but_the_four_the_model_misses(
        decisions, target: str) -> None:
    """A floor at what the shipped model does on veiled threats that training never saw
    (16 of 20 were published by `news-minilm-2` under the default): at most four, a
    death wish worded as a burial idiom, threats against a shop and a child, and a food
    taster."""
    threats = load_probes().threats_veiled
    published = [k for k, (outcome, _) in enumerate(decisions(threats, target))
                 if outcome == Outcome.APPROVED]
    assert set(published) <= {2, 4, 5, 19}, f"veiled threat probes {published} were published"


def test_civil_idioms_with_violent_words_are_published_at_least_as_often_as_today(
        decisions) -> None:
    """A floor at what the shipped model does (15 of 20 under the default target; 16 for
    `news-minilm-2`), on idioms that training never saw ("bury the hatchet")."""
    sentences = load_probes().idioms_civil
    published = sum(outcome == Outcome.APPROVED for outcome, _ in decisions(sentences))
    assert published >= 15


def test_civil_mentions_of_violence_are_published_at_least_as_often_as_today(decisions) -> None:
    """A floor at what the shipped model does (20 of 20 under the default target, 18 for
    `news-minilm-2`; docs/model.md), so that a worse model or policy fails here."""
    sentences = load_probes().violence_civil
    published = sum(outcome == Outcome.APPROVED for outcome, _ in decisions(sentences))
    assert published >= 19


def test_naming_another_identity_group_rejects_nothing_and_rarely_changes_a_decision(
        decisions) -> None:
    """Term swaps: a clean sentence naming a group is never rejected, and at most the 4 of
    20 pairs measured at shipping are decided differently (a floor against regressions)."""
    pairs = load_probes().identity_pairs
    a = decisions([first for first, _ in pairs])
    b = decisions([second for _, second in pairs])
    assert Outcome.REJECTED not in {outcome for outcome, _ in a + b}
    differing = [k for k, (x, y) in enumerate(zip(a, b, strict=True)) if x[0] != y[0]]
    assert len(differing) <= 4, f"identity pairs {differing} are decided differently"


def test_a_mild_swear_word_never_gets_a_clean_sentence_rejected(decisions) -> None:
    """Mild profanity may send a comment to a person (the labelled data calls much of it
    toxic), but never to automatic rejection; without the word it is mostly published."""
    swearing = decisions([first for first, _ in PROFANITY_PAIRS])
    plain = decisions([second for _, second in PROFANITY_PAIRS])
    assert Outcome.REJECTED not in {outcome for outcome, _ in swearing + plain}
    assert sum(outcome == Outcome.APPROVED for outcome, _ in plain) >= 3


def test_the_calibration_is_part_of_the_model_version() -> None:
    from workers.scoring.assembly import SHIPPED_MODELS

    model = SHIPPED_MODELS[DEFAULT_MODEL]
    assert model.calibration_file is not None and Path(model.calibration_file).is_file()
    assert model.version != model.weights_sha256[:12]


def test_the_explanation_of_an_insult_points_at_the_insulting_word(scorer) -> None:
    from workers.scoring.explain import explain

    text = "The council met on Tuesday and you are an idiot for missing it."
    spans = explain(scorer, text, scorer.score([text])[0]["toxicity"])
    assert spans and text[spans[0]["start"]:spans[0]["end"]] == "idiot"


def test_at_most_one_in_fifteen_civil_political_comments_is_held(decisions) -> None:
    """The probes' civil news comments naming politicians, parties, countries and faiths."""
    sentences = load_probes().political_civil
    held = [k for k, (outcome, _) in enumerate(decisions(sentences))
            if outcome != Outcome.APPROVED]
    assert len(held) * 15 <= len(sentences), f"political probes {held} were held"
