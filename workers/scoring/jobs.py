"""The scoring job: claim pending comments, score them in one pass, decide, record.

A batch costs the same few statements whatever its size: one to lease the comments,
one to read them, one UPDATE to win them all from ``pending``, and one INSERT each for
the decisions and the events.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import db, metrics
from service.commenters.premoderation import hold_reasons
from service.comments.events import record_model_decisions
from service.comments.models import Comment, Decision, Status
from service.policy import MODEL_ACTOR, Outcome, Policy, decide
from service.sites.models import Site
from service.sites.services import policy_of
from workers.scoring.explain import explain
from workers.scoring.scorer import load_scorer

log = logging.getLogger(__name__)


def score_comment(comment_id: str) -> dict[str, int]:
    """Decide ``comment_id`` and, in the same forward pass, other comments waiting.

    Idempotent: a comment already decided, or claimed by another worker whose lease
    has not run out, is left alone, so running the job again changes nothing.

    Args:
        comment_id: the comment that this job was queued for.

    Returns:
        How many comments this run claimed and decided.
    """
    config = current_app.config
    session = db.session()
    token = uuid.uuid4().hex
    comments = claim(session, uuid.UUID(comment_id), token, config["SCORING_BATCH_SIZE"],
                     config["SCORING_LEASE_SECONDS"])
    if not comments:
        return {"claimed": 0, "decided": 0}
    try:
        scorer = load_scorer(config)
        started = time.perf_counter()
        scores = scorer.score([comment.body for comment in comments])
        metrics.SCORING_SECONDS.observe(time.perf_counter() - started)
        metrics.SCORING_BATCH_SIZE.observe(len(comments))
    except Exception:
        release(session, token)
        raise
    with db.transaction():
        policies = site_policies(session, config, comments)
        # Pre-moderated threads and commenters, and new commenters' first comments, are
        # held whatever their scores (the policy stays pure: it is given the reason).
        holds = hold_reasons(session, comments)
        verdicts = {comment.id: decide(comment_scores, policies[comment.site_id][1],
                                       text=comment.body, hold=holds.get(comment.id))
                    for comment, comment_scores in zip(comments, scores, strict=True)}
        explanations = {
            comment.id: explain(scorer, comment.body, comment_scores["toxicity"])
            for comment, comment_scores in zip(comments, scores, strict=True)
            if config["EXPLAIN_HELD"] and verdicts[comment.id].outcome == Outcome.HELD
            and "toxicity" in comment_scores}
        now = db.utcnow()
        won = win(session, token, comments,
                  {key: verdict.outcome for key, verdict in verdicts.items()}, now)
        decided = [comment for comment in comments if comment.id in won]
        # Each decision records which site's policy, and which thresholds, it used.
        thresholds = {site_id: policy.as_dict() | {"site": slug}
                      for site_id, (slug, policy) in policies.items()}
        record_model_decisions(session, [
            (comment, Decision(
                comment_id=comment.id, outcome=verdicts[comment.id].outcome, actor=MODEL_ACTOR,
                reason=verdicts[comment.id].reason, code=None,
                scores={k: round(v, 6) for k, v in comment_scores.items()},
                model=scorer.model_id, thresholds=thresholds[comment.site_id],
                explanation=explanations.get(comment.id), created_at=now))
            for comment, comment_scores in zip(comments, scores, strict=True)
            if comment.id in won])
    for comment in decided:
        if comment.decided_at is None:  # win set it
            raise RuntimeError(f"comment {comment.id} was decided without a decision time")
        metrics.TIME_TO_DECISION.observe((comment.decided_at - comment.created_at).total_seconds())
    log.info("scored %d comments, decided %d", len(comments), len(decided))
    return {"claimed": len(comments), "decided": len(decided)}


def site_policies(session: Session, config: Mapping[str, Any],
                  comments: Sequence[Comment]) -> dict[int, tuple[str, Policy]]:
    """The slug and the policy in force of each site the comments were posted to, by id."""
    sites = session.scalars(select(Site).where(
        Site.id.in_({comment.site_id for comment in comments})))
    return {site.id: (site.slug, policy_of(site, config)) for site in sites}


def claim(session: Session, comment_id: uuid.UUID, token: str, batch_size: int,
          lease_seconds: int) -> list[Comment]:
    """Lease ``comment_id`` and up to ``batch_size - 1`` other pending comments, oldest first.

    The lease is taken by one UPDATE that re-checks each row, so two workers never
    hold the same comment at once; a lease that ran out (its worker died) may be
    taken again.
    """
    now = db.utcnow()
    claimable = (Comment.status == Status.PENDING,
                 or_(Comment.claimed_until.is_(None), Comment.claimed_until < now))
    with db.transaction():
        others = session.scalars(
            select(Comment.id).where(*claimable, Comment.id != comment_id)
            .order_by(Comment.created_at).limit(max(batch_size - 1, 0))
        ).all()
        session.execute(
            update(Comment)
            .where(Comment.id.in_([comment_id, *others]), *claimable)
            .values(claim_token=token, claimed_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
    return list(session.scalars(select(Comment).where(Comment.claim_token == token)
                                .order_by(Comment.created_at)))


def win(session: Session, token: str, comments: Sequence[Comment],
        outcomes: Mapping[uuid.UUID, str], now: datetime) -> set[uuid.UUID]:
    """Move the comments still leased by ``token`` from pending to their outcomes, at once.

    One UPDATE for the whole batch, which re-checks each row's status and lease, so that
    a comment is decided once even when its lease ran out and another worker took it.
    The comments' loaded state is set to what the UPDATE wrote, so that nothing writes
    it a second time.

    Returns:
        The ids of the comments won.
    """
    if not outcomes:
        return set()
    won = set(session.scalars(
        update(Comment)
        .where(Comment.id.in_(list(outcomes)), Comment.status == Status.PENDING,
               Comment.claim_token == token)
        .values(status=case(dict(outcomes), value=Comment.id), decided_at=now,
                claim_token=None, claimed_until=None)
        .returning(Comment.id)
        .execution_options(synchronize_session=False)
    ))
    for comment in comments:
        if comment.id in won:
            for key, value in (("status", Status(outcomes[comment.id])), ("decided_at", now),
                               ("claim_token", None), ("claimed_until", None)):
                set_committed_value(comment, key, value)
    return won


def release(session: Session, token: str) -> None:
    """Give up a lease early, so that a retry need not wait for it to run out."""
    with db.transaction():
        session.execute(update(Comment).where(Comment.claim_token == token)
                        .values(claim_token=None, claimed_until=None)
                        .execution_options(synchronize_session=False))
