"""Learning from moderators, end to end: 300 moderator decisions through the API, a candidate
built from them, shadow scoring of new comments, its report, promotion, and the rescoring of
held comments by the promoted candidate, moderator-decided comments untouched.

The tiny random model scores every text differently; the site's policy holds the upper half
of its toxicity scores, and its moderators judge by the model's ``insult`` score instead, so
they approve some comments the model held and reject some it published: a head over the
stored scores can learn them, the live policy cannot.
"""

from __future__ import annotations

import json
import random

import pytest
from sqlalchemy import func, select

from cli.main import rescore
from service import db
from service.comments.models import Comment, Decision
from service.moderation.learning.cli import (
    adapt,
    calibration,
    promote_command,
    report,
    shadow,
)
from service.moderation.learning.models import Candidate, ShadowDecision
from service.policy import LABELS, MODEL_ACTOR, RESCORING_ACTOR, Policy
from service.sites.services import save_settings
from tests.support.accounts import audit_actions, bearer, post_comment
from tests.support.work import drain
from workers.scoring.scorer import load_scorer

pytestmark = pytest.mark.slow
API = "/api/v1/moderation"
WORDS = ("budget", "council", "road", "park", "bus", "library", "school", "tax", "river",
         "bridge", "market", "museum", "festival", "election", "mayor", "housing", "rent",
         "tram", "bike", "lane", "parking", "garden", "pool", "clinic", "idiot", "stupid",
         "awful", "great", "fine", "terrible", "lovely", "useless", "brilliant", "silly",
         "ugly", "nice", "corrupt", "honest", "lazy", "smart", "weak", "strong", "cheap",
         "costly", "noisy", "quiet", "dirty", "clean")


def texts(count: int, seed: int) -> list[str]:
    draw = random.Random(seed)
    return [" ".join(draw.choice(WORDS) for _ in range(draw.randint(6, 14))) + f" ({seed}-{k})"
            for k in range(count)]


def quantile(values: list[float], share: float) -> float:
    return sorted(values)[int(share * (len(values) - 1))]


def post_and_score(app, client, bodies: list[str]) -> list[str]:
    ids = [post_comment(client, body, author=f"reader{k % 50}") for k, body in enumerate(bodies)]
    drain(app)
    return ids


def model_scores(app, ids: list[str]) -> dict[str, dict[str, float]]:
    with app.app_context():
        return {str(d.comment_id): d.scores for d in db.session().scalars(
            select(Decision).where(Decision.actor == MODEL_ACTOR))if str(d.comment_id) in ids}


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return {str(c.id): c.status for c in db.session().scalars(select(Comment))}


def test_moderators_teach_a_candidate_that_is_shadowed_promoted_and_rescores(
        app, client, runner, accounts):
    first = texts(500, seed=1)
    with app.app_context():
        scorer = load_scorer(app.config)
        toxicity = [row["toxicity"] for row in scorer.score(first)]
        with db.transaction() as session:  # hold the upper half of toxicity, reject nothing
            save_settings(session, policy=Policy.from_overrides({
                "hold": {**dict.fromkeys(LABELS, 1.0), "toxicity": quantile(toxicity, 0.5)},
                "reject": dict.fromkeys(LABELS, 1.0)}), origins=[], by="ada")
    ids = post_and_score(app, client, first)
    scores = model_scores(app, ids)
    strict = quantile([scores[i]["insult"] for i in ids], 0.6)

    def moderator_rejects(comment_id: str) -> bool:
        return scores[comment_id]["insult"] >= strict

    # The moderator decides 300 comments: the held ones either way, and rejects some the
    # model published; a few held ones wait in the queue for the rescoring.
    status = statuses(app)
    decidable = [i for i in ids if status[i] == "held" or moderator_rejects(i)]
    assert len(decidable) >= 320
    decided, waiting = decidable[:300], [i for i in decidable[300:] if status[i] == "held"]
    assert waiting, "some held comments are left for the rescoring"
    approvals_of_held = rejections_of_published = 0
    for comment_id in decided:
        action = "reject" if moderator_rejects(comment_id) else "approve"
        approvals_of_held += action == "approve"
        rejections_of_published += action == "reject" and status[comment_id] == "approved"
        response = client.post(f"{API}/comments/{comment_id}/decisions",
                               json={"action": action, "reason": "test"},
                               headers=bearer(accounts["mia"]))
        assert response.status_code == 201, response.json
    assert approvals_of_held >= 30 and rejections_of_published >= 30

    # the calibration report reads the bands in force against those 300 decisions
    printed = runner.invoke(calibration, [])
    assert printed.exit_code == 0, printed.output
    bands = json.loads(printed.output.strip().splitlines()[-1])
    assert bands["decided"] == 300
    toxicity = next(label for label in bands["labels"] if label["label"] == "toxicity")
    recorded = model_scores(app, decided)
    flagged = [i for i in decided
               if recorded[i]["toxicity"] >= toxicity["hold"]["threshold"]]
    assert toxicity["hold"]["flagged"] == len(flagged) > 0
    assert toxicity["hold"]["precision"] == round(
        sum(moderator_rejects(i) for i in flagged) / len(flagged), 4)
    assert toxicity["hold"]["recall"] == round(
        sum(moderator_rejects(i) for i in flagged) / sum(map(moderator_rejects, decided)), 4)
    assert len(toxicity["curve"]) >= 10

    built = runner.invoke(adapt, [])
    assert built.exit_code == 0, built.output
    name = built.output.strip().splitlines()[-1]
    with app.app_context():
        candidate = db.session().scalar(select(Candidate).where(Candidate.name == name))
        assert candidate is not None and candidate.status == "candidate"
        assert candidate.report["trained_on"] + len(candidate.report["held_back"]) == 300

    assert runner.invoke(shadow, [name]).exit_code == 0
    new = texts(60, seed=2)
    new_ids = post_and_score(app, client, new)
    new_scores = model_scores(app, new_ids)
    with app.app_context():
        shadows = {str(s.comment_id): s for s in db.session().scalars(select(ShadowDecision))}
        live = {str(d.comment_id): d for d in db.session().scalars(
            select(Decision).where(Decision.comment_id.in_([s.comment_id for s in
                                                            shadows.values()])))}
    assert set(shadows) == set(new_ids), "the shadow scored every new comment"
    for comment_id in new_ids:  # without acting: the live policy decided each one
        assert live[comment_id].model.startswith("checkpoint@")
        assert "/head:" not in live[comment_id].model
        assert shadows[comment_id].live_outcome == live[comment_id].outcome
    assert any(s.outcome != s.live_outcome for s in shadows.values())

    printed = runner.invoke(report, [name])
    assert printed.exit_code == 0, printed.output
    figures = json.loads(printed.output.strip().splitlines()[-1])
    print("report:", {key: figures[key] for key in ("compared", "agreement_live",
                                                    "agreement_candidate", "would_change")})
    assert figures["compared"] == len(candidate.report["held_back"]) >= 50
    assert figures["shadow_scored"] == 60
    assert figures["agreement_candidate"] > figures["agreement_live"] + 0.1
    assert figures["would_change"] >= 1 and figures["per_day"][0]["n"] == 60

    # under the default queue budget it may publish no more of the rejected than the live
    # policy did on the same decisions: the interval says so, and promotion is not refused
    assert figures["refusal"] is None
    assert figures["intervals"]["candidate"]["published_rejected"][1] <= figures["rates"][
        "live"]["published_rejected"]
    promoted = runner.invoke(promote_command, [name])
    assert promoted.exit_code == 0, promoted.output
    assert "candidate.promoted" in audit_actions(app, "cli")
    with app.app_context():
        candidate = db.session().scalar(select(Candidate).where(Candidate.name == name))
        assert candidate.status == "promoted"
        assert candidate.promoted_report["agreement_candidate"] == figures[
            "agreement_candidate"]

    before = statuses(app)
    with app.app_context():
        decisions_before = db.session().scalar(select(func.count()).select_from(Decision))
    rescored = runner.invoke(rescore, ["--inline"])
    assert rescored.exit_code == 0, rescored.output
    held_now = [i for i, s in before.items() if s == "held"]
    assert f"rescored {len(held_now)}, skipped 0" in rescored.output
    after = statuses(app)
    for comment_id in decided:  # moderators' decisions stand
        assert after[comment_id] == before[comment_id]
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Decision)) == (
            decisions_before + len(held_now))
        rescorings = list(db.session().scalars(select(Decision).where(
            Decision.actor == RESCORING_ACTOR)))
    assert {str(d.comment_id) for d in rescorings} == set(held_now)
    assert all(d.model.endswith("/head:" + name) and d.thresholds["candidate"]["name"] == name
               for d in rescorings)
    all_scores = {**scores, **new_scores}
    published = [i for i in held_now if after[i] == "approved"]
    assert published, "the promoted candidate publishes some comments the live policy held"
    # Of what it publishes, far more are comments the moderators approve than of the held
    # ones at large (about 0.85 against 0.5; the held-back part is a hash of the comments'
    # ids, which the API draws at random, so the candidate differs a little run to run).
    def approvable(chosen: list[str]) -> float:
        return sum(all_scores[i]["insult"] < strict for i in chosen) / len(chosen)

    assert approvable(published) >= approvable(held_now) + 0.2
