"""Learning from moderators, piece by piece: the head, the labels, the bands, the schedule,
the rescoring's refusals and the dashboard pages (CSRF, roles, audit)."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from cli.main import rescore
from service import db
from service.comments.models import READERS_ACTOR, Comment, Decision, Status
from service.comments.spam import SPAM_ACTOR_MODEL
from service.moderation.learning.building import build_candidate
from service.moderation.learning.candidates import CandidateError
from service.moderation.learning.cli import adapt
from service.moderation.learning.head import NEVER, Head, fit_bands
from service.moderation.learning.labels import decided_comments
from service.moderation.learning.models import Candidate, RescoreRun
from service.moderation.learning.tasks import adapt_due
from service.moderation.learning.vectors import store_comment_vectors
from service.policy import LABELS, MODEL_ACTOR, Policy
from service.sites.models import Site
from service.sites.services import UnknownSite
from tests.support.accounts import audit_actions, csrf_token
from workers.scoring.adapt import adapt_site
from workers.scoring.jobs import site_deciders
from workers.scoring.scorer import load_scorer

SCALE = {"toxicity": 1.0, "obscene": 1.0, "insult": 1.0, "severe_toxicity": 0.00005,
         "threat": 0.05, "identity_attack": 0.18}
"""The safety-net labels stay below the default policy's holds, as on most comments."""


LIVE = {"hold": {**dict.fromkeys(LABELS, 1.0), "toxicity": 0.5},
        "reject": dict.fromkeys(LABELS, 1.0)}
"""The live policy under which ``add_decided``'s comments were decided."""


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=LIVE, RATELIMIT_ENABLED=False)
    return settings


def scores_for(draw: random.Random) -> dict[str, float]:
    return {label: round(draw.random() * scale, 6) for label, scale in SCALE.items()}


def add_decided(app, count: int, seed: int = 0, *, rule=lambda s: s["insult"] >= 0.6):
    """``count`` comments the model scored (holding toxicity >= 0.5) and a moderator then
    decided by ``rule``, each with a sentence vector (noise) of the test model's space;
    returns their ids."""
    draw, ids = random.Random(seed), []
    with app.app_context():
        space = load_scorer(app.config).vector_space
    with app.app_context(), db.transaction() as session:
        base = db.utcnow() - timedelta(days=1)
        for k in range(count):
            scores = scores_for(draw)
            # ids from the seed, so that the held-back part (a hash of the id) is the same
            # on every run
            comment = Comment(id=uuid.UUID(int=(seed + 1) << 64 | k), thread_id="t",
                              author="a", body=f"comment {k}", status="held",
                              created_at=base + timedelta(seconds=k))
            outcome = "held" if scores["toxicity"] >= 0.5 else "approved"
            session.add_all([comment, Decision(comment=comment, outcome=outcome,
                                               actor=MODEL_ACTOR, scores=scores, model="m",
                                               created_at=comment.created_at)])
            final = "rejected" if rule(scores) else "approved"
            session.add(Decision(comment=comment, outcome=final, actor="mia",
                                 created_at=comment.created_at + timedelta(minutes=5)))
            comment.status = final
            session.flush()
            store_comment_vectors(session, space, [
                (comment.id, scores, [draw.gauss(0, 1) for _ in range(32)])], db.utcnow())
            ids.append(comment.id)
    return ids


def test_the_head_learns_the_label_moderators_judge_by() -> None:
    draw = random.Random(1)
    rows = [scores_for(draw) for _ in range(400)]
    head = Head.fit(rows, [row["insult"] >= 0.6 for row in rows])
    weights = dict(zip(head.labels, head.weights, strict=True))
    assert max(weights, key=lambda label: abs(weights[label])) == "insult"
    assert head.probability({**rows[0], "insult": 0.95}) > 0.9
    assert head.probability({**rows[0], "insult": 0.05}) < 0.1
    assert Head.from_params(head.as_params()) == head


def test_the_hold_band_never_publishes_more_of_the_rejected_than_the_live_policy() -> None:
    draw = random.Random(2)
    probabilities = [draw.random() for _ in range(300)]
    rejected = [draw.random() < p for p in probabilities]
    live_published = [p < 0.2 for p in probabilities]
    hold, reject = fit_bands(probabilities, rejected, live_published, [False] * 300)
    budget = sum(r and p for r, p in zip(rejected, live_published, strict=True))
    assert sum(r and p < hold for r, p in zip(rejected, probabilities, strict=True)) <= budget
    assert hold <= reject <= NEVER


def test_labels_are_moderators_final_decisions_on_comments_the_model_scored(app) -> None:
    ids = add_decided(app, 3)
    with app.app_context(), db.transaction() as session:
        spam = Comment(thread_id="t", author="a", body="spam", status="approved")
        unscored = Comment(thread_id="t", author="a", body="x", status="approved")
        readers = Comment(thread_id="t", author="a", body="r", status="held")
        session.add_all([
            spam, Decision(comment=spam, outcome="held", actor=MODEL_ACTOR, model=SPAM_ACTOR_MODEL),
            Decision(comment=spam, outcome="approved", actor="mia"),
            unscored, Decision(comment=unscored, outcome="approved", actor="mia"),
            readers, Decision(comment=readers, outcome="approved", actor=MODEL_ACTOR,
                              scores={"toxicity": 0.1}, model="m"),
            Decision(comment=readers, outcome="held", actor=READERS_ACTOR)])
    with app.app_context(), db.transaction() as session:
        other = Site(slug="other", name="Other")
        session.add(other)
        session.flush()
        theirs = Comment(site_id=other.id, thread_id="t", author="a", body="o", status="approved")
        session.add_all([theirs, Decision(comment=theirs, outcome="held", actor=MODEL_ACTOR,
                                          scores={"toxicity": 0.9}, model="m"),
                         Decision(comment=theirs, outcome="approved", actor="mia")])
        session.flush()
        their_id = theirs.id
    with app.app_context():
        assert [row.comment_id for row in decided_comments(db.session())] == ids
        assert [row.comment_id for row in decided_comments(db.session(), "default")] == ids
        assert [row.comment_id for row in decided_comments(db.session(), "other")] == [their_id]
        with pytest.raises(UnknownSite):
            decided_comments(db.session(), "elsewhere")


def test_too_few_decisions_make_no_candidate_and_the_command_says_why(app, runner) -> None:
    add_decided(app, 20)
    with app.app_context(), pytest.raises(CandidateError, match="needs 50 of each"):
        build_candidate(db.session(), Policy.from_overrides(LIVE), by="test")
    result = runner.invoke(adapt, ["--site", "elsewhere"])
    assert result.exit_code != 0 and "no site 'elsewhere'" in result.output
    result = runner.invoke(rescore, ["--site", "elsewhere", "--inline"])
    assert result.exit_code != 0 and "no site 'elsewhere'" in result.output


def test_the_schedule_asks_for_a_candidate_once_per_period_with_new_decisions(app) -> None:
    add_decided(app, 120)
    with app.app_context():
        session = db.session()
        due = adapt_due(session, timedelta(hours=24), 100)
        assert due is not None and due.function == "workers.scoring.adapt.adapt_site"
        assert adapt_due(session, timedelta(hours=24), 500) is None  # too few decisions
        session.rollback()
        name = adapt_site("default")
        assert name and db.session().scalar(select(Candidate.created_by)) == "schedule"
        assert adapt_due(db.session(), timedelta(hours=24), 100) is None  # built this period


def test_rescoring_leaves_alone_what_readers_or_moderators_decided(app, runner) -> None:
    add_decided(app, 5)
    with app.app_context(), db.transaction() as session:
        reported = Comment(thread_id="t", author="a", body="reported", status="held")
        session.add_all([reported, Decision(comment=reported, outcome="approved",
                                            actor=MODEL_ACTOR, scores={"toxicity": 0.1},
                                            model="m"),
                         Decision(comment=reported, outcome="held", actor=READERS_ACTOR)])
        session.flush()
        reported_id = reported.id
    result = runner.invoke(rescore, ["--inline"])
    assert result.exit_code == 0, result.output
    assert "rescored 0, skipped 1" in result.output
    with app.app_context():
        assert db.session().get(Comment, reported_id).status == Status.HELD


def test_admins_promote_from_the_dashboard_with_csrf_and_an_audit_entry(
        app, admin_client, moderator_client) -> None:
    add_decided(app, 120)
    with app.app_context(), db.transaction() as session:
        name = build_candidate(session, Policy.from_overrides(LIVE), by="ada").name
    page = admin_client.get("/dashboard/learning")
    assert page.status_code == 200
    assert 'data-chart="curve-insult"' in page.text and "<polyline" in page.text
    assert name in page.text
    report = admin_client.get(f"/dashboard/learning/candidates/{name}")
    assert report.status_code == 200 and "data-agreement-candidate" in report.text
    assert admin_client.get(f"/dashboard/learning/candidates/{uuid.uuid4()}").status_code == 404

    promote_path = f"/dashboard/learning/candidates/{name}/promote"
    assert admin_client.post(promote_path).status_code == 400  # no CSRF token
    # the pages are the admins': they cover every site's moderators and candidates
    assert moderator_client.get("/dashboard/learning").status_code == 403
    token = csrf_token(moderator_client, "/dashboard/queue")
    assert moderator_client.post(promote_path, data={"csrf_token": token}).status_code == 403
    token = csrf_token(admin_client, "/dashboard/learning")
    # under the default queue budget, it publishes fewer of the rejected than the live policy
    assert "data-refusal" not in report.text and 'data-interval="published_rejected"' in (
        report.text)
    done = admin_client.post(promote_path, data={"csrf_token": token})
    assert done.status_code == 303
    with app.app_context():
        candidate = db.session().scalar(select(Candidate).where(Candidate.name == name))
        assert candidate.status == "promoted" and candidate.promoted_by == "ada"
        assert candidate.promoted_report["compared"] > 0
        assert (candidate.promoted_report["agreement_candidate"]
                > candidate.promoted_report["agreement_live"])
    assert "candidate.promoted" in audit_actions(app, "ada")
    again = admin_client.post(promote_path, data={"csrf_token": token}, follow_redirects=True)
    assert "cannot be promoted" in again.text

    queued = admin_client.post("/dashboard/learning/rescore", data={"csrf_token": token})
    assert queued.status_code == 303 and "comments.rescore" in audit_actions(app, "ada")
    with app.app_context():
        run = db.session().scalar(select(RescoreRun))
        assert run is not None and run.created_by == "ada" and run.status == "queued"
    assert f'data-run="{run.id}"' in admin_client.get("/dashboard/learning").text


def test_a_candidates_hold_names_the_labels_behind_it_in_plain_words() -> None:
    from service.comments.models import Decision as Row
    from service.comments.reasons import reason_of
    from service.moderation.learning.head import decide_with

    draw = random.Random(3)
    rows = [scores_for(draw) for _ in range(300)]
    head = Head.fit(rows, [row["insult"] >= 0.6 for row in rows]).with_bands(0.5, NEVER)
    verdict, probability = decide_with(head, "c1", {**rows[0], "insult": 0.99},
                                       Policy.from_overrides(LIVE))
    assert verdict.outcome == "held" and probability > 0.5 and verdict.labels[0] == "insult"
    said = reason_of(Row(outcome="held", actor="rescoring", reason=verdict.reason))
    assert said["code"].startswith("labels:") and "insult" in said["code"]


def test_the_sweeper_queues_one_scheduled_build_per_period(app) -> None:
    from tests.support.work import drain
    from workers.sweeper import schedule_adaptation

    add_decided(app, 120, rule=lambda scores: True)  # one kind of decision: nothing to build
    with app.app_context():
        assert schedule_adaptation() == 1
    drain(app)
    with app.app_context():
        assert db.session().scalar(select(Candidate)) is None
        assert schedule_adaptation() == 0, "the period's attempt was made"


def test_a_candidate_learns_from_and_decides_on_its_own_site_only(app) -> None:
    add_decided(app, 120)
    with app.app_context(), db.transaction() as session:
        session.add(Site(slug="other", name="Other"))
    with app.app_context():
        assert adapt_site("other") is None  # no decisions there: no candidate
        name = adapt_site("default")
    assert name is not None
    with app.app_context(), db.transaction() as session:
        candidate = session.scalar(select(Candidate).where(Candidate.name == name))
        assert candidate.site == "default"
        candidate.status = "promoted"
    with app.app_context():
        session = db.session()
        other = session.scalar(select(Site).where(Site.slug == "other"))
        batch = [Comment(site_id=1, thread_id="t", author="a", body="x"),
                 Comment(site_id=other.id, thread_id="t", author="a", body="y")]
        sites = site_deciders(session, app.config, batch)
        assert sites[1].promoted is not None and sites[1].promoted[0] == name
        assert sites[other.id].promoted is None
        assert sites[1].thresholds()["site"] == "default"
        assert sites[1].thresholds()["candidate"]["name"] == name
        assert sites[other.id].thresholds()["site"] == "other"
        assert "candidate" not in sites[other.id].thresholds()
