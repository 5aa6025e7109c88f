"""The scoring job: claim pending comments, screen them, score them in one pass, decide, record.

The spam rules that compare a comment with others (near-duplicates, floods:
``service.comments.campaigns``) screen the batch first; what they decide is recorded
with the rest of the batch, and never scored.

A batch costs the same few statements whatever its size: one to lease the comments,
one to read them, the spam settings and two scans of recent comments (the screen), an
UPDATE run for each comment (one executemany) to win them from ``pending`` and one to
end their lease, and one INSERT each for the decisions and the events. Their flush
fans the events out (``service.webhooks.tasks``), with the ``comment.created`` events
the POST left to the batch, first: the subscriptions, one SELECT of those events, and
one INSERT of the fan-outs nobody wants. Batches grow while the queue is long
(``SCORING_MAX_BATCH_SIZE``), so that these serve more comments each.

Each comment has its own job, and a batch decides the comments of other jobs: once its
decisions commit, it takes those jobs off the queue (one round trip), so that no worker
fetches and runs them only to find nothing to do.

The comments the model held are explained later, off the scoring path: the batch asks
for one job on the explain queue (``workers.scoring.explaining``), queued once its
decisions commit.
"""

from __future__ import annotations

import functools
import logging
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import LargeBinary, Table, Update, bindparam, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service import db, metrics
from service.commenters.premoderation import hold_reasons
from service.comments.campaigns import screen
from service.comments.events import record_model_decisions
from service.comments.models import Comment, Decision, Status
from service.comments.spam import SPAM_ACTOR_MODEL, SpamVerdict, spam_settings
from service.comments.tasks import explain_job, scoring_job
from service.moderation.learning.scoring import Deciders, deciders
from service.moderation.learning.vectors import store_comment_vectors
from service.policy import MODEL_ACTOR, Outcome
from service.queueing import SCORING_QUEUE, drop_waiting, enqueue_after_commit
from service.sites.models import Site
from service.sites.services import policy_of
from workers.scoring.language import detect, unscored
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
                     config["SCORING_LEASE_SECONDS"], config["SCORING_MAX_BATCH_SIZE"])
    if not comments:
        return {"claimed": 0, "decided": 0}
    try:
        # The spam rules that compare comments with one another come first: a comment
        # they decide never reaches the model.
        prints: dict[uuid.UUID, bytes] = {}
        spam: dict[uuid.UUID, SpamVerdict] = {}
        for site_id in {comment.site_id for comment in comments}:
            site_prints, site_spam = screen(
                session, [comment for comment in comments if comment.site_id == site_id],
                spam_settings(session, site_id))
            prints, spam = prints | site_prints, spam | site_spam
        to_score = [comment for comment in comments if comment.id not in spam]
        scorer = load_scorer(config)
        started = time.perf_counter()
        scores, vectors = scorer.score_and_embed([comment.body for comment in to_score])
        metrics.SCORING_SECONDS.observe(time.perf_counter() - started)
        metrics.SCORING_BATCH_SIZE.observe(len(to_score))
    except Exception:
        release(session, token)
        raise
    with db.transaction():
        sites = site_deciders(session, config, to_score, scorer.vector_space)
        # Pre-moderated threads and commenters, and new commenters' first comments, are
        # held whatever their scores (the policy stays pure: it is given the reason).
        holds = hold_reasons(session, to_score)
        languages = {comment.id: detect(comment.body) for comment in to_score}
        verdicts = {comment.id: sites[comment.site_id].decide(
                        comment_scores, comment.body, holds.get(comment.id),
                        unscored(*languages[comment.id], scorer.name), vector=vector)
                    for comment, comment_scores, vector in zip(to_score, scores, vectors,
                                                               strict=True)}
        now = db.utcnow()
        outcomes = ({key: verdict.outcome for key, verdict in verdicts.items()}
                    | {key: verdict.outcome for key, verdict in spam.items()})
        won = win(session, token, comments, outcomes, now, prints)
        decided = [comment for comment in comments if comment.id in won]
        record_model_decisions(session, [
            *((comment, Decision(
                comment_id=comment.id, outcome=verdicts[comment.id].outcome, actor=MODEL_ACTOR,
                reason=verdicts[comment.id].reason, code=None,
                scores={k: round(v, 6) for k, v in comment_scores.items()},
                model=sites[comment.site_id].model(scorer.model_id),
                thresholds=sites[comment.site_id].thresholds(),
                language=languages[comment.id][0], created_at=now))
              for comment, comment_scores in zip(to_score, scores, strict=True)
              if comment.id in won),
            *((comment, Decision(
                comment_id=comment.id, outcome=spam[comment.id].outcome, actor=MODEL_ACTOR,
                reason=spam[comment.id].reason, code=spam[comment.id].code,
                model=SPAM_ACTOR_MODEL, created_at=now))
              for comment in comments if comment.id in spam and comment.id in won)])
        store_comment_vectors(session, scorer.vector_space, [
            (comment.id, comment_scores, vector) for comment, comment_scores, vector
            in zip(to_score, scores, vectors, strict=True) if comment.id in won], now)
        for site_id, deciding in sites.items():
            deciding.record_shadows(session, [
                (comment.id, comment_scores, comment.body, verdicts[comment.id].outcome.value,
                 vector) for comment, comment_scores, vector
                in zip(to_score, scores, vectors, strict=True)
                if comment.id in won and comment.site_id == site_id], now)
        held = [comment.id for comment, comment_scores in zip(to_score, scores, strict=True)
                if comment.id in won and verdicts[comment.id].outcome == Outcome.HELD
                and "toxicity" in comment_scores]
        if config["EXPLAIN_HELD"] and held:
            enqueue_after_commit(session, explain_job(held, fresh=True))
    for comment in decided:
        if comment.decided_at is None:  # win set it
            raise RuntimeError(f"comment {comment.id} was decided without a decision time")
        metrics.TIME_TO_DECISION.observe((comment.decided_at - comment.created_at).total_seconds())
    drop_jobs_done(comment_id, decided)
    log.info("scored %d comments, decided %d", len(comments), len(decided))
    return {"claimed": len(comments), "decided": len(decided)}


def site_deciders(session: Session, config: Mapping[str, Any], comments: Sequence[Comment],
                  space: str | None = None) -> dict[int, Deciders]:
    """How each site the comments were posted to decides (its policy, its promoted and
    shadow candidates of the vector ``space``), by site id."""
    sites = session.scalars(select(Site).where(
        Site.id.in_({comment.site_id for comment in comments})))
    return {site.id: deciders(session, policy_of(site, config), site.slug, space)
            for site in sites.all()}


def drop_jobs_done(comment_id: str, decided: Sequence[Comment]) -> None:
    """Take the scoring jobs of the comments this job decided off the queue, where they
    still wait: a worker need not fetch and run them to find nothing to do."""
    try:
        drop_waiting(SCORING_QUEUE, [scoring_job(comment.id).job_id for comment in decided
                                     if str(comment.id) != comment_id])
    except RedisError as error:  # they run, and find their comments decided
        log.warning("the decided comments' jobs stay queued (%s)", error.__class__.__name__)


def claim(session: Session, comment_id: uuid.UUID, token: str, batch_size: int,
          lease_seconds: int, max_batch_size: int | None = None) -> list[Comment]:
    """Lease ``comment_id`` and other pending comments, oldest first.

    The batch is ``batch_size`` comments at most, or, while more wait, half of those
    waiting, up to ``max_batch_size``: batches grow while the queue is long, so that
    each statement and round trip of a batch serves more comments, and shrink again
    as it empties, leaving work for other workers. The lease is taken by one UPDATE
    that re-checks each row, so two workers never hold the same comment at once; a
    lease that ran out (its worker died) may be taken again.
    """
    largest = max(batch_size, max_batch_size or batch_size)
    now = db.utcnow()
    claimable = (Comment.status == Status.PENDING,
                 or_(Comment.claimed_until.is_(None), Comment.claimed_until < now))
    with db.transaction():
        waiting = session.scalars(
            select(Comment.id).where(*claimable, Comment.id != comment_id)
            .order_by(Comment.created_at).limit(2 * largest)
        ).all()
        size = min(largest, max(batch_size, (len(waiting) + 1) // 2))
        others = waiting[:max(size - 1, 0)]
        session.execute(
            update(Comment)
            .where(Comment.id.in_([comment_id, *others]), *claimable)
            .values(claim_token=token, claimed_until=now + timedelta(seconds=lease_seconds))
            .execution_options(synchronize_session=False)
        )
    return list(session.scalars(select(Comment).where(Comment.claim_token == token)
                                .order_by(Comment.created_at)))


def win(session: Session, token: str, comments: Sequence[Comment],
        outcomes: Mapping[uuid.UUID, str], now: datetime,
        prints: Mapping[uuid.UUID, bytes] | None = None) -> set[uuid.UUID]:
    """Move the comments still leased by ``token`` from pending to their outcomes.

    Two statements for the whole batch, built once: an UPDATE run for each comment
    (executemany) that re-checks its status and lease, so that a comment is decided
    once even when its lease ran out and another worker took it, and writes its
    outcome, decision time and text fingerprint (``prints``); then one that ends the
    lease of the comments it moved and returns them. The comments' loaded state is set
    to what was written, so that nothing writes it a second time.

    Returns:
        The ids of the comments won.
    """
    if not outcomes:
        return set()
    prints = prints or {}
    connection = session.connection()
    connection.execute(_decide_statement(), [
        {"b_id": comment_id, "b_status": outcome, "b_print": prints.get(comment_id),
         "b_now": now, "b_token": token}
        for comment_id, outcome in outcomes.items()])
    won = set(connection.scalars(_release_decided_statement(), {"b_token": token}))
    for comment in comments:
        if comment.id in won:
            for key, value in (("status", Status(outcomes[comment.id])), ("decided_at", now),
                               ("claim_token", None), ("claimed_until", None)):
                set_committed_value(comment, key, value)
            if comment.id in prints:
                set_committed_value(comment, "fingerprint", prints[comment.id])
    return won


@functools.cache
def _decide_statement() -> Update:
    """A comment's outcome, decision time and fingerprint, if it is still pending and
    leased by ``b_token``."""
    table = cast(Table, Comment.__table__)
    comments = table.c
    return (update(table)
            .where(comments.id == bindparam("b_id"), comments.status == Status.PENDING,
                   comments.claim_token == bindparam("b_token"))
            .values(status=bindparam("b_status"), decided_at=bindparam("b_now"),
                    fingerprint=func.coalesce(bindparam("b_print", type_=LargeBinary),
                                              comments.fingerprint)))


@functools.cache
def _release_decided_statement() -> Update:
    """The end of ``b_token``'s lease on the comments it decided, which it returns."""
    table = cast(Table, Comment.__table__)
    comments = table.c
    return (update(table)
            .where(comments.claim_token == bindparam("b_token"),
                   comments.status != Status.PENDING)
            .values(claim_token=None, claimed_until=None)
            .returning(comments.id))


def release(session: Session, token: str) -> None:
    """Give up a lease early, so that a retry need not wait for it to run out."""
    with db.transaction():
        session.execute(update(Comment).where(Comment.claim_token == token)
                        .values(claim_token=None, claimed_until=None)
                        .execution_options(synchronize_session=False))
