"""What candidates that read the comment stand on: the vectors the scoring job stores with
each decision, candidates of another model's vectors shown stale and not applied, storage
kept bounded, and Perspective clients' verdicts as training decisions of their key's site."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import select

from service import db
from service.accounts.models import AuditEntry
from service.comments.models import Comment, Decision
from service.moderation.learning.building import build_candidate
from service.moderation.learning.candidates import (
    CandidateError,
    promote,
    promotion_refusal,
    stale,
)
from service.moderation.learning.labels import training_rows
from service.moderation.learning.models import Candidate, SentenceVector
from service.moderation.learning.report import candidate_report
from service.moderation.learning.vectors import prune, store_comment_vectors
from service.policy import MODEL_ACTOR, Policy
from tests.service.perspective.conftest import new_key
from tests.support.accounts import post_comment
from tests.support.work import drain
from workers.scoring.adapt import adapt_site
from workers.scoring.jobs import site_deciders
from workers.scoring.scorer import load_scorer

pytestmark = pytest.mark.slow
SUGGEST = "/v1alpha1/comments:suggestscore"


def test_each_model_decision_stores_the_comments_vector_of_that_pass(app, client) -> None:
    ids = [post_comment(client, f"a comment about the budget, number {k}") for k in range(5)]
    drain(app)
    with app.app_context():
        scorer = load_scorer(app.config)
        rows = {row.comment_id: row for row in db.session().scalars(select(SentenceVector))}
        decisions = {d.comment_id: d for d in db.session().scalars(
            select(Decision).where(Decision.actor == MODEL_ACTOR))}
    assert {str(key) for key in rows} == set(ids)
    for comment_id, row in rows.items():
        assert row.space == scorer.vector_space and len(row.data) == 32  # a byte a dimension
        assert row.scores == decisions[comment_id].scores
    text = "a comment about the budget, number 3"
    _, vector = scorer.score_and_embed([text])
    stored = next(row for key, row in rows.items() if str(key) == ids[3])
    restored = np.frombuffer(stored.data, dtype=np.int8) * stored.scale
    assert np.abs(restored - vector[0]).max() <= stored.scale / 2 + 1e-6


def add_decided(app, count: int, space: str, seed: int = 0) -> None:
    """``count`` comments decided by moderators who reject what the vector's first component
    says (the scores say nothing), with vectors of ``space``."""
    draw = random.Random(seed)
    with app.app_context(), db.transaction() as session:
        for k in range(count):
            vector = [draw.gauss(0, 1) for _ in range(32)]
            scores = {"toxicity": 0.3, "insult": 0.2}
            # ids from the seed: the held-back part (a hash of the id) is the same every run
            comment = Comment(id=uuid.UUID(int=(seed + 1) << 64 | k), thread_id="t",
                              author="a", body=f"comment {k}", status="held",
                              created_at=db.utcnow() - timedelta(hours=1, seconds=-k))
            rejected = vector[0] > 0.3
            session.add_all([comment, Decision(comment=comment, outcome="held",
                                               actor=MODEL_ACTOR, scores=scores, model="m",
                                               created_at=comment.created_at),
                             Decision(comment=comment, outcome="rejected" if rejected
                                      else "approved", actor="mia",
                                      created_at=comment.created_at + timedelta(minutes=1))])
            comment.status = "rejected" if rejected else "approved"
            session.flush()
            store_comment_vectors(session, space, [(comment.id, scores, vector)], db.utcnow())


def test_a_candidate_of_another_models_vectors_is_stale_and_not_applied(app) -> None:
    with app.app_context():
        current = load_scorer(app.config).vector_space
    add_decided(app, 200, "older-model@1/layer4")
    policy = Policy()
    with app.app_context(), db.transaction() as session:
        old = build_candidate(session, policy, by="test", space="older-model@1/layer4")
        assert old.report["evaluation"]["auc"]["candidate"] > 0.9  # it learned the vector
        old.status = "promoted"
    with app.app_context():  # the workers' model gives other vectors now
        session = db.session()
        store_comment_vectors(session, current, [(session.scalar(select(Comment.id)), {
            "toxicity": 0.1}, [0.0] * 32)], db.utcnow())
        session.commit()
        old = session.scalar(select(Candidate))
        assert stale(old, current)
        assert site_deciders(session, app.config, [Comment(site_id=1)], current)[1].promoted \
            is None, "the live policy decides"
        assert site_deciders(session, app.config, [Comment(site_id=1)],
                             "older-model@1/layer4")[1].promoted is not None
        report = candidate_report(session, old, policy)
        assert report["stale"] and report["current_space"] == current
        old.status = "candidate"
        with pytest.raises(CandidateError, match="build a new candidate"):
            promote(session, old.name, "ada", report, policy, force=True)
        session.rollback()
        # the decided comments have no vector of the current model yet: it says so
        with pytest.raises(CandidateError, match="no vector of this model yet"):
            build_candidate(session, policy, by="test")


def test_the_learning_page_marks_stale_candidates_in_its_list(app, admin_client) -> None:
    add_decided(app, 200, "older-model@1/layer4")
    add_decided(app, 200, "newer-model@2/layer6", seed=1)  # written last: the current space
    with app.app_context(), db.transaction() as session:
        old = build_candidate(session, Policy(), by="test", space="older-model@1/layer4").name
        new = build_candidate(session, Policy(), by="test", space="newer-model@2/layer6").name
    page = admin_client.get("/dashboard/learning")
    assert page.status_code == 200
    rows = {name: page.text.split(f'data-candidate="{name}"', 1)[1].split("</tr>", 1)[0]
            for name in (old, new)}
    assert "data-stale" in rows[old] and ">stale</strong>" in rows[old]
    assert "data-stale" not in rows[new]


def test_no_candidate_before_enough_of_each_decision(app) -> None:
    add_decided(app, 120, "m@1/layer4")
    with app.app_context():
        session = db.session()
        rows, _ = training_rows(session, None, "m@1/layer4", Policy())
        rejections = sum(row.rejected for row in rows)
        assert 30 < rejections < 90 and len(rows) == 120
        with pytest.raises(CandidateError, match=f"{rejections} rejections and "
                                                 f"{120 - rejections} approvals"):
            build_candidate(session, Policy(), by="test", minimum=rejections + 1)
        assert build_candidate(session, Policy(), by="test", minimum=rejections).space == \
            "m@1/layer4"


def test_the_sweeper_keeps_only_the_vectors_learning_needs(app) -> None:
    add_decided(app, 2, "m@1/layer4")
    with app.app_context(), db.transaction() as session:
        undecided = Comment(thread_id="t", author="a", body="waiting", status="approved")
        erased = session.scalar(select(Comment).order_by(Comment.created_at))
        session.add(undecided)
        session.flush()
        store_comment_vectors(session, "m@1/layer4", [(undecided.id, {}, [1.0] * 32)],
                              db.utcnow() - timedelta(days=31))
    with app.app_context(), db.transaction() as session:
        assert prune(session, 30, db.utcnow()) == 1  # the undecided, old one
        erased = session.get(Comment, erased.id)
        erased.body = ""  # as the GDPR erasure leaves it
    with app.app_context(), db.transaction() as session:
        assert prune(session, 30, db.utcnow()) == 1
        assert session.scalar(select(SentenceVector.comment_id)) != erased.id
        assert prune(session, 0, db.utcnow() + timedelta(days=999)) == 0  # 0: kept


def test_perspective_clients_verdicts_become_training_decisions_of_the_keys_site(
        app, client) -> None:
    from service.sites.models import Site

    with app.app_context(), db.transaction() as session:
        session.add(Site(slug="news", name="News"))
    secret = new_key(app, site="news")
    for k in range(4):
        verdict = "DELETED" if k % 2 else "APPROVED"
        assert client.post(f"{SUGGEST}?key={secret}", json={
            "comment": {"text": f"what a reader wrote, number {k}"},
            "attributeScores": {verdict: {"summaryScore": {"value": 1}}}}).status_code == 200
    assert client.post(f"{SUGGEST}?key={secret}", json={  # a score on another label: no verdict
        "comment": {"text": "an insult?"},
        "attributeScores": {"INSULT": {"summaryScore": {"value": 0.9}}}}).status_code == 200
    with app.app_context():
        assert adapt_site("news") is None  # too few to build, but the vectors are written
        space = load_scorer(app.config).vector_space
        session = db.session()
        written = session.scalars(select(SentenceVector).where(
            SentenceVector.label_id.is_not(None))).all()
        assert [(row.site, row.rejected, row.space) for row in written] == [
            ("news", False, space), ("news", True, space)] * 2
        rows, waiting = training_rows(session, "news", space, Policy())
        assert [(row.source, row.rejected, row.body) for row in rows] == [
            ("perspective", False, ""), ("perspective", True, "")] * 2 and waiting == 0
        assert training_rows(session, None, space, Policy())[0] == []  # not the default site's
    with app.app_context():
        assert adapt_site("news") is None
        assert db.session().scalar(select(SentenceVector.id).where(
            SentenceVector.id > max(row.id for row in written))) is None, "written once"


def test_the_sweeper_keeps_one_vector_per_verdict_that_still_counts(app, client) -> None:
    from service.perspective.models import SuggestedScore
    from service.sites.models import Site
    from workers.sweeper import prune_vectors

    with app.app_context(), db.transaction() as session:
        session.add(Site(slug="news", name="News"))
    secret = new_key(app, site="news")

    def verdict(k: int, status: str) -> None:
        assert client.post(f"{SUGGEST}?key={secret}", json={
            "comment": {"text": f"what a reader wrote, number {k}"},
            "attributeScores": {status: {"summaryScore": {"value": 1}}}}).status_code == 200

    for k in range(3):
        verdict(k, "DELETED")
    with app.app_context():
        adapt_site("news")
        assert prune_vectors() == 0  # every verdict counts: all kept, whatever their age
    verdict(1, "APPROVED")  # the moderator changed their mind on text 1
    with app.app_context():
        assert prune_vectors() == 1  # the replaced verdict's vector
    verdict(2, "APPROVED")
    with app.app_context():
        adapt_site("news")  # embeds the new verdicts, and drops the one replaced at once
        space = load_scorer(app.config).vector_space
        assert len(db.session().scalars(select(SentenceVector)).all()) == 3
        rows, _ = training_rows(db.session(), "news", space, Policy())
        assert sorted(row.rejected for row in rows) == [False, False, True]
        assert prune_vectors() == 0
    with app.app_context(), db.transaction() as session:  # a text that is gone
        label = session.scalar(select(SuggestedScore).where(
            SuggestedScore.text == "what a reader wrote, number 0"))
        label.text = ""
    with app.app_context():
        assert prune_vectors() == 1
        assert len(training_rows(db.session(), "news", space, Policy())[0]) == 2
        assert prune_vectors() == 0


def test_promotion_is_refused_when_the_interval_may_exceed_the_target_unless_forced(
        app) -> None:
    add_decided(app, 200, "m@1/layer4")
    safety = Policy.from_overrides({"target": "safety 1%"})
    with app.app_context(), db.transaction() as session:
        name = build_candidate(session, safety, by="test").name
    with app.app_context():
        session = db.session()
        report = candidate_report(session, session.scalar(select(Candidate)), safety)
        low, high = report["intervals"]["candidate"]["published_rejected"]
        # a few dozen held-back rejections cannot show that at most 1% of them is published
        assert low <= report["rates"]["candidate"]["published_rejected"] <= high
        assert high > 0.01 and "may publish up to" in report["refusal"]
        with pytest.raises(CandidateError, match="promotion refused"):
            promote(session, name, "ada", report, safety)
        session.rollback()
        promote(session, name, "ada", report, safety, force=True)
        session.commit()
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "candidate.promoted"))
        assert entry.actor == "ada" and entry.details["forced"] is True
        assert entry.details["overrode"] == report["refusal"]
    # under a queue budget, the bar is the live policy's share on the same decisions
    queue = {**report, "rates": {"live": {"published_rejected": 1.0}}}
    assert promotion_refusal(queue, Policy.from_overrides({"target": "queue 5%"})) is None
    queue["rates"]["live"]["published_rejected"] = 0.0
    assert "the live policy's 0.0%" in promotion_refusal(
        queue, Policy.from_overrides({"target": "queue 5%"}))
