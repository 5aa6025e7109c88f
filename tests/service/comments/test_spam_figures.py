"""How much of 50 spam-like comments the spam stage catches, and how many of 200
ordinary comments from the shared data it wrongly catches.

``nice -n 19 .venv/bin/python -m pytest tests/service/comments/test_spam_figures.py -q -s
-p no:cacheprovider`` prints both figures. Each comment is posted under its own name,
from its own address, to one of five threads, as different people would; the model is
run as the service runs it: the link rules decide in the POST, the scoring worker screens
the rest for near-duplicates and floods before the model; a comment counts as caught when
the spam stage decided it (``spam-rules/1``). The ordinary comments' texts are never printed.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from service import db
from service.comments.models import Decision
from service.comments.schemas import NewComment
from service.comments.spam import SPAM_ACTOR_MODEL, SpamSettings, save_spam_settings
from service.queueing import SCORING_QUEUE
from tests.support.work import drain

pytestmark = pytest.mark.slow

SPAM = Path(__file__).parent / "data" / "spam_comments.txt"
SHARED = Path(__file__).resolve().parents[4] / "shared" / "data"
ORDINARY_SOURCES = (
    (SHARED / "fox_news" / "train.csv", "comment_text", lambda row: row["hateful"] == "0"),
    (SHARED / "civil_comments" / "train.csv", "comment_text",
     lambda row: float(row["toxicity"] or 0) == 0.0),
)


def ordinary_comments(per_source: int = 100) -> list[str]:
    """The first ``per_source`` clean comments of each source that the API accepts."""
    texts: list[str] = []
    for path, column, clean in ORDINARY_SOURCES:
        if not path.exists():
            pytest.skip(f"{path} is not here")
        with path.open(newline="", encoding="utf-8") as handle:
            taken = 0
            for row in csv.DictReader(handle):
                text = " ".join((row[column] or "").split())
                if clean(row) and _acceptable(text):
                    texts.append(text)
                    taken += 1
                    if taken == per_source:
                        break
    return texts


def _acceptable(text: str) -> bool:
    try:
        NewComment.model_validate({"body": text, "author": "Reader"})
    except ValidationError:
        return False
    return True


def post_all(client, texts: list[str], prefix: str) -> list[dict]:
    """Post each text as another person; the answers (status and, if caught, the codes)."""
    answers = []
    for number, text in enumerate(texts):
        response = client.post(
            f"/api/v1/threads/{prefix}-thread-{number % 5}/comments",
            json={"body": text, "author": f"{prefix} reader {number}"},
            environ_base={"REMOTE_ADDR": f"10.0.{number // 250}.{number % 250 + 1}"})
        assert response.status_code == 202, response.json
        answers.append(response.json)
    return answers


def spam_decisions(app, answers: list[dict]) -> list[Decision]:
    """The spam stage's decisions on ``answers``' comments, once the worker screened them."""
    drain(app, (SCORING_QUEUE,))
    with app.app_context():
        return db.session().query(Decision).filter(
            Decision.comment_id.in_([uuid.UUID(answer["id"]) for answer in answers]),
            Decision.model == SPAM_ACTOR_MODEL).all()


def rules_broken(decisions: list[Decision]) -> tuple[Counter[str], Counter[str]]:
    """How many comments each code decided, and how many broke each rule."""
    decided: Counter[str] = Counter()
    broken: Counter[str] = Counter()
    for decision in decisions:
        decided[decision.code] += 1
        broken.update(part.split(":")[0] for part in decision.reason.split("; "))
    return decided, broken


@pytest.mark.parametrize(("rules", "least_spam_caught", "most_ordinary_caught"), [
    ({}, 45, 4),
    ({"new_commenter_link": "off"}, 25, 0),
], ids=["defaults", "no-new-commenter-rule"])
def test_the_spam_stage_catches_most_spam_and_few_ordinary_comments(
        app, rules, least_spam_caught, most_ordinary_caught):
    spam = SPAM.read_text(encoding="utf-8").splitlines()
    assert len(spam) == 50
    ordinary = ordinary_comments()
    assert len(ordinary) == 200
    if rules:
        with app.app_context(), db.transaction() as session:
            save_spam_settings(session, SpamSettings.model_validate(rules), by="test")

    spam_caught_by = spam_decisions(app, post_all(app.test_client(), spam, "spam"))
    wrongly_by = spam_decisions(app, post_all(app.test_client(), ordinary, "ordinary"))

    spam_caught, wrongly = len(spam_caught_by), len(wrongly_by)
    print("\nspam stage " + json.dumps({
        "rules": rules or "defaults",
        "spam_caught": spam_caught, "spam_total": len(spam),
        "ordinary_caught": wrongly, "ordinary_total": len(ordinary),
        "spam_decided_by": rules_broken(spam_caught_by)[0],
        "spam_rules_broken": rules_broken(spam_caught_by)[1],
        "ordinary_decided_by": rules_broken(wrongly_by)[0]}))
    assert spam_caught >= least_spam_caught
    assert wrongly <= most_ordinary_caught
