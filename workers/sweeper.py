"""The sweeper: queues again what the database says is still to do.

Redis carries work, not data. A comment stored while Redis was down, or held by a
worker that died mid-batch, is still ``pending`` in the database; the sweeper finds
it once its lease has run out and it has waited ``SWEEP_AFTER_SECONDS``, and queues
its scoring job again. It does the same for held comments whose explanation was never
written (``sweep_explanations``), for webhook events never fanned out (among them the
``comment.created`` of a comment that no worker decided) and deliveries overdue
(``workers.delivery.sweep``), and asks for a candidate built from the moderators'
decisions when one is due (``ADAPT_EVERY_HOURS``), calls abandoned the nudges before
posting that no POST followed (``sweep_nudges``), and drops the sentence vectors that
learning no longer needs (``VECTOR_KEEP_DAYS``).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, current_app
from redis.exceptions import RedisError
from rq.job import Job
from sqlalchemy import or_, select
from sqlalchemy.exc import SQLAlchemyError

from service import db, metrics
from service.comments.models import Comment, Decision, NudgeOutcome, Status
from service.comments.nudge import abandon_stale_nudges
from service.comments.tasks import explain_job, scoring_job
from service.moderation.learning.tasks import adapt_due
from service.moderation.learning.vectors import prune
from service.queueing import EXPLAIN_QUEUE, enqueue, queue, redis
from service.sites.models import Site
from workers.delivery import sweep as sweep_webhooks
from workers.scoring.explaining import unexplained
from workers.scoring.verdicts import prune_label_vectors

log = logging.getLogger(__name__)

EXPLAIN_WITHIN = timedelta(hours=24)
"""How far back the sweeper looks for held comments left unexplained."""


def sweep(limit: int = 1000) -> int:
    """Queue the scoring of comments pending too long; return how many were queued."""
    now = db.utcnow()
    older_than = now - timedelta(seconds=current_app.config["SWEEP_AFTER_SECONDS"])
    stale = db.session().scalars(
        select(Comment.id)
        .where(Comment.status == Status.PENDING, Comment.created_at < older_than,
               or_(Comment.claimed_until.is_(None), Comment.claimed_until < now))
        .order_by(Comment.created_at)
        .limit(limit)
    ).all()
    db.session().rollback()
    queued = enqueue(scoring_job(comment_id) for comment_id in stale)
    if queued:
        log.info("sweeper queued %d pending comments again", queued)
    return queued


def sweep_explanations(limit: int = 1000) -> int:
    """Queue the explanation of held comments that the model decided in the last
    ``EXPLAIN_WITHIN`` (more than ``SWEEP_AFTER_SECONDS`` ago) and that have none yet,
    in jobs of ``SCORING_BATCH_SIZE`` comments; return how many jobs were queued.

    Only when no explain job waits or runs: the queue is served last, so under load its
    jobs wait long, and the sweeper's batches (cut otherwise than the scoring job's)
    would queue the same work twice. Nothing when ``EXPLAIN_HELD`` is off.
    """
    config = current_app.config
    if not config["EXPLAIN_HELD"]:
        return 0
    explain = queue(EXPLAIN_QUEUE)
    if explain.count or explain.started_job_registry.count:
        return 0
    now = db.utcnow()
    missing = db.session().scalars(
        unexplained(Decision.comment_id)
        .where(Decision.created_at >= now - EXPLAIN_WITHIN,
               Decision.created_at < now - timedelta(seconds=config["SWEEP_AFTER_SECONDS"]))
        .order_by(Decision.created_at, Decision.id)
        .limit(limit)
    ).all()
    db.session().rollback()
    size = max(config["SCORING_BATCH_SIZE"], 1)
    queued = enqueue(explain_job(missing[start:start + size])
                     for start in range(0, len(missing), size))
    if queued:
        log.info("sweeper queued %d explain jobs for held comments", queued)
    return queued


def schedule_adaptation() -> int:
    """Queue the building of a candidate when the schedule wants one (``ADAPT_EVERY_HOURS``);
    return how many jobs were queued."""
    hours = current_app.config["ADAPT_EVERY_HOURS"]
    if hours <= 0:
        return 0
    session = db.session()
    slugs = session.scalars(select(Site.slug).order_by(Site.id)).all()
    due = [adapt_due(session, timedelta(hours=hours), current_app.config["ADAPT_MIN_DECISIONS"],
                     site=slug) for slug in slugs]
    session.rollback()
    # one attempt per site and period, even when it built nothing
    return enqueue([request for request in due
                    if request is not None and not Job.exists(request.job_id,
                                                              connection=redis())])


def prune_vectors() -> int:
    """Drop the sentence vectors learning no longer needs (``VECTOR_KEEP_DAYS``: those of
    comments no moderator decided; erased comments' at once; Perspective labels' once a
    newer verdict on the text replaced them or the text is gone); return how many went."""
    with db.transaction() as session:
        dropped = prune(session, current_app.config["VECTOR_KEEP_DAYS"], db.utcnow())
        dropped += prune_label_vectors(session)
    if dropped:
        log.info("sweeper dropped %d sentence vectors", dropped)
    return dropped


def sweep_nudges() -> int:
    """Call abandoned the nudges that no POST followed in time; return how many."""
    with db.transaction() as session:
        abandoned = abandon_stale_nudges(session)
    if abandoned:
        metrics.NUDGE_OUTCOMES.labels(NudgeOutcome.ABANDONED.value).inc(abandoned)
    return abandoned


def run(app: Flask, interval: float | None = None, rounds: int | None = None) -> None:
    """Sweep every ``interval`` seconds, riding out database and Redis outages."""
    interval = interval or app.config["SWEEP_INTERVAL_SECONDS"]
    done = 0
    while rounds is None or done < rounds:
        with app.app_context():
            try:
                sweep()
                sweep_explanations()
                sweep_webhooks()
                schedule_adaptation()
                sweep_nudges()
                prune_vectors()
            except (RedisError, SQLAlchemyError) as error:
                log.warning("sweep skipped: %s unavailable", "Redis" if isinstance(
                    error, RedisError) else "database")
        done += 1
        time.sleep(interval)
