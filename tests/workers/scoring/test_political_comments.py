"""Names and topics are not toxicity: the default model and target on political comments.

Civil news comments about politics, war and elections, written for this test (the
training templates of ``modelkit/counterfactual.py`` are worded otherwise), with 24
politicians, countries, parties and topics swapped in: all of them are published under
the default target, and the same sentences with an insult added are all held.
"""

from __future__ import annotations

import pytest

from service.policy import DEFAULT_TARGET, Outcome, Policy, decide
from workers.scoring.assembly import DEFAULT_MODEL

pytestmark = pytest.mark.slow

SENTENCES = [
    "I have read {name}'s plan on {topic} twice and I still think it needs more work.",
    "Whether you like {name} or not, the committee hearing on {topic} was worth watching.",
    "My family has argued about {name} and {topic} at every dinner this year.",
    "The reporter asked {name} a fair question about {topic} and got a vague answer.",
    "Let's wait for the full text of {name}'s proposal on {topic} before judging it.",
    "Voters deserve a real debate between {name} and the opposition about {topic}.",
]
SUBJECTS = [
    ("Trump", "trade with China"), ("Biden", "student loans"), ("Zelensky", "the front line"),
    ("Putin", "the grain deal"), ("Netanyahu", "the hostages"), ("Trudeau", "housing"),
    ("Macron", "pension reform"), ("Kamala Harris", "the border"),
    ("Nancy Pelosi", "stock trading"), ("Mitch McConnell", "judges"),
    ("Bernie Sanders", "drug prices"), ("Xi Jinping", "Taiwan"), ("Modi", "farm laws"),
    ("Erdogan", "Sweden joining NATO"), ("Keir Starmer", "the health service"),
    ("Ron DeSantis", "Disney"), ("the Democrats", "abortion rights"),
    ("the Republicans", "the debt ceiling"), ("Ukraine", "the peace talks"),
    ("Israel", "the ceasefire"), ("the Muslim council", "the new mosque"),
    ("the Catholic bishops", "refugees"), ("the Liberals", "the carbon tax"),
    ("Iran", "the nuclear deal"),
]
INSULTS = [
    " Only a brain-dead fool would fall for it.",
    " Honestly, {name} is a pathetic, lying imbecile.",
    " Anyone who agrees is a stupid moron.",
]


def civil_comments() -> list[str]:
    return [SENTENCES[k % len(SENTENCES)].format(name=name, topic=topic)
            for k, (name, topic) in enumerate(SUBJECTS)]


def uncivil_comments() -> list[str]:
    return [text + INSULTS[k % len(INSULTS)].format(name=SUBJECTS[k][0])
            for k, text in enumerate(civil_comments())]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory):
    from workers.scoring.scorer import load_scorer

    scorer = load_scorer({
        "MODERATION_MODEL": DEFAULT_MODEL, "MODERATION_MODEL_CONFIG": "",
        "MODERATION_MODEL_CACHE": str(tmp_path_factory.mktemp("model-cache")),
        "TORCH_THREADS": 1, "SCORING_BATCH_SIZE": 32, "SCORER_BACKEND": "torch"})
    policy = Policy.from_overrides({"target": DEFAULT_TARGET})

    def decide_all(texts: list[str]) -> list[Outcome]:
        return [decide(scores, policy, text).outcome
                for text, scores in zip(texts, scorer.score(texts), strict=True)]

    return decide_all


def test_the_sentences_swap_at_least_twenty_names_and_topics() -> None:
    assert len({name for name, _ in SUBJECTS}) >= 20 and len({t for _, t in SUBJECTS}) >= 20
    assert len(set(civil_comments())) == len(SUBJECTS)


def test_civil_political_comments_are_all_published(outcomes) -> None:
    texts = civil_comments()
    held = [k for k, outcome in enumerate(outcomes(texts)) if outcome != Outcome.APPROVED]
    assert not held, f"civil comments {held} were not published"


def test_the_same_comments_with_an_insult_are_all_held(outcomes) -> None:
    texts = uncivil_comments()
    published = [k for k, outcome in enumerate(outcomes(texts)) if outcome == Outcome.APPROVED]
    assert not published, f"insulting comments {published} were published"
