"""The sweeper: queues again what the database says is still to do.

Redis carries work, not data. A comment stored while Redis was down, or held by a
worker that died mid-batch, is still ``pending`` in the database; the sweeper finds
it once its lease has run out and it has waited ``SWEEP_AFTER_SECONDS``, and queues
its scoring job again. It does the same for webhook events never fanned out (among them
the ``comment.created`` of a comment that no worker decided) and deliveries overdue
(``workers.delivery.sweep``), and asks for a candidate built from
the moderators' decisions when one is due (``ADAPT_EVERY_HOURS``).
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

from service import db
from service.comments.models import Comment, Status
from service.comments.tasks import scoring_job
from service.moderation.learning.tasks import adapt_due
from service.queueing import enqueue, redis
from service.sites.models import Site
from workers.delivery import sweep as sweep_webhooks

log = logging.getLogger(__name__)


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


def run(app: Flask, interval: float | None = None, rounds: int | None = None) -> None:
    """Sweep every ``interval`` seconds, riding out database and Redis outages."""
    interval = interval or app.config["SWEEP_INTERVAL_SECONDS"]
    done = 0
    while rounds is None or done < rounds:
        with app.app_context():
            try:
                sweep()
                sweep_webhooks()
                schedule_adaptation()
            except (RedisError, SQLAlchemyError) as error:
                log.warning("sweep skipped: %s unavailable", "Redis" if isinstance(
                    error, RedisError) else "database")
        done += 1
        time.sleep(interval)
