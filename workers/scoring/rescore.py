"""The bulk rescoring job: a site's pending and held comments decided again by the current
model, candidate and thresholds, never a comment a moderator decided. First it writes what
learning needs of the current model: the sentence vectors of the comments moderators
decided and of the Perspective clients' labels (``embedding.embed_missing``).

Pending comments go through the scoring job itself. A held comment is rescored only if
the model alone decided it so far (not the spam rules, readers' reports or a moderator);
each rescoring is a new decision by ``RESCORING_ACTOR`` with its model and thresholds, and
an event when the outcome changes. Progress is written to the run after every batch.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import select

from service import db
from service.commenters.premoderation import hold_reasons
from service.comments.events import record_decision
from service.comments.models import Comment, Decision, Status
from service.comments.spam import SPAM_ACTOR_MODEL
from service.moderation.learning.labels import learning_site
from service.moderation.learning.models import RescoreRun, RescoreStatus
from service.moderation.learning.scoring import deciders
from service.moderation.learning.vectors import store_comment_vectors
from service.policy import MODEL_ACTOR, RESCORING_ACTOR
from service.sites.services import policy_of, site_by_id
from workers.scoring.embedding import embed_missing
from workers.scoring.jobs import score_comment
from workers.scoring.scorer import load_scorer

log = logging.getLogger(__name__)


def rescore_run(run_id: int) -> dict[str, int]:
    """Rescore the comments of run ``run_id``'s site; return its counts."""
    session = db.session()
    with db.transaction():
        run = session.get(RescoreRun, run_id)
        if run is None or run.status == RescoreStatus.DONE:
            return {}
        site_id = learning_site(session, run.site).id
        pending = list(session.scalars(select(Comment.id).where(
            Comment.site_id == site_id, Comment.status == Status.PENDING)
            .order_by(Comment.created_at)))
        held = list(session.scalars(select(Comment.id).where(
            Comment.site_id == site_id, Comment.status == Status.HELD)
            .order_by(Comment.created_at)))
        run.status, run.total = RescoreStatus.RUNNING, len(pending) + len(held)
        run.rescored = run.skipped = run.changed = 0
    try:
        embed_missing(run.site)
        _pending(run_id, pending)
        batch = current_app.config["SCORING_BATCH_SIZE"]
        for start in range(0, len(held), batch):
            _held(run_id, site_id, held[start:start + batch])
    except Exception as error:
        with db.transaction():
            failed = session.get(RescoreRun, run_id)
            if failed is not None:
                failed.status, failed.error = RescoreStatus.FAILED, str(error)[:400]
                failed.finished_at = db.utcnow()
        raise
    with db.transaction():
        run = session.get(RescoreRun, run_id)
        assert run is not None
        run.status, run.finished_at = RescoreStatus.DONE, db.utcnow()
        counts = {"rescored": run.rescored, "skipped": run.skipped, "changed": run.changed,
                  "total": run.total}
    log.info("rescoring run %d: %s", run_id, counts)
    return counts


def _pending(run_id: int, pending: Sequence[uuid.UUID]) -> None:
    """Score the pending comments through the scoring job (it decides a batch at a time)."""
    session, decided = db.session(), 0
    for comment_id in pending:
        status = session.scalar(select(Comment.status).where(Comment.id == comment_id))
        session.rollback()
        if status == Status.PENDING:
            decided += score_comment(str(comment_id))["decided"]
    with db.transaction():
        run = session.get(RescoreRun, run_id)
        assert run is not None
        run.rescored += min(decided, len(pending))
        run.skipped += len(pending) - min(decided, len(pending))


def _rescorable(decisions: Sequence[Decision]) -> bool:
    """Whether only the model decided the comment so far (and scored it)."""
    return bool(decisions) and all(d.actor in (MODEL_ACTOR, RESCORING_ACTOR) for d in decisions
                                   ) and decisions[0].model != SPAM_ACTOR_MODEL and bool(
        decisions[0].scores)


def _held(run_id: int, site_id: int, ids: Sequence[uuid.UUID]) -> None:
    config, session = current_app.config, db.session()
    comments = [c for c in session.scalars(select(Comment).where(Comment.id.in_(ids)))
                if c.status == Status.HELD and _rescorable(c.decisions)]
    bodies = {comment.id: comment.body for comment in comments}
    session.rollback()
    scorer = load_scorer(config)
    scores, vectors = scorer.score_and_embed(list(bodies.values()))
    scorer_id = scorer.model_id
    rescored = changed = 0
    with db.transaction():
        site = site_by_id(session, site_id)
        deciding = deciders(session, policy_of(site, config), site.slug, scorer.vector_space)
        holds = hold_reasons(session, list(session.scalars(
            select(Comment).where(Comment.id.in_(list(bodies))))))
        store_comment_vectors(session, scorer.vector_space, list(zip(
            bodies, scores, vectors, strict=True)), db.utcnow(), only_missing=True)
        for comment_id, comment_scores, vector in zip(bodies, scores, vectors, strict=True):
            comment = session.scalars(select(Comment).where(Comment.id == comment_id)
                                      .with_for_update()).one()
            if comment.status != Status.HELD or not _rescorable(comment.decisions):
                continue  # a moderator (or readers) got there first
            verdict = deciding.decide(comment_scores, comment.body, holds.get(comment_id),
                                      vector=vector)
            recorded = {k: round(v, 6) for k, v in comment_scores.items()}
            if verdict.outcome == Status.HELD:
                session.add(Decision(comment=comment, outcome=verdict.outcome,
                                     actor=RESCORING_ACTOR, reason=verdict.reason,
                                     scores=recorded, model=deciding.model(scorer_id),
                                     thresholds=deciding.thresholds(), created_at=db.utcnow()))
            else:
                record_decision(session, comment, outcome=verdict.outcome, actor=RESCORING_ACTOR,
                                reason=verdict.reason, scores=recorded,
                                model=deciding.model(scorer_id),
                                thresholds=deciding.thresholds())
                changed += 1
            rescored += 1
        run = session.get(RescoreRun, run_id)
        assert run is not None
        run.rescored += rescored
        run.changed += changed
        run.skipped += len(ids) - rescored
