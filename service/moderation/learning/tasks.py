"""The learning jobs: a bulk rescoring, and the scheduled building of candidates.

Run by ``workers.scoring.rescore.rescore_run`` and ``workers.scoring.adapt.adapt_site``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.accounts import audit
from service.comments.models import Comment, Decision
from service.db import utcnow
from service.moderation.learning.labels import AUTOMATED, learning_site
from service.moderation.learning.models import DEFAULT_SITE, Candidate, RescoreRun
from service.queueing import SCORING_QUEUE, JobRequest, enqueue_after_commit

RESCORE_JOB = "workers.scoring.rescore.rescore_run"
ADAPT_JOB = "workers.scoring.adapt.adapt_site"
SCHEDULE_ACTOR = "schedule"
"""Who builds the candidates the schedule asks for."""


def rescore_job(run_id: int) -> JobRequest:
    return JobRequest(SCORING_QUEUE, RESCORE_JOB, (run_id,), job_id=f"rescore-{run_id}",
                      options={"job_timeout": 6 * 3600, "result_ttl": 24 * 3600,
                               "failure_ttl": 7 * 24 * 3600}, fresh=True)


def start_rescore(session: Session, by: str, site: str | None = None) -> RescoreRun:
    """A rescoring run of the site's pending and held comments, queued once the caller
    commits; audited."""
    run = RescoreRun(site=learning_site(session, site).slug, created_by=by, created_at=utcnow())
    session.add(run)
    session.flush()
    audit.record(session, actor=by, action="comments.rescore", subject=str(run.id),
                 details={"site": run.site})
    enqueue_after_commit(session, rescore_job(run.id))
    return run


def adapt_job(site: str, by: str) -> JobRequest:
    """A candidate built now for ``site`` at ``by``'s request (the dashboard's button)."""
    slug = site or DEFAULT_SITE
    return JobRequest(SCORING_QUEUE, ADAPT_JOB, (slug, by),
                      job_id=f"adapt-{slug}-{utcnow():%Y%m%d%H%M%S}",
                      options={"job_timeout": 3600, "result_ttl": 24 * 3600})


def adapt_due(session: Session, every: timedelta, minimum: int, site: str | None = None,
              now: datetime | None = None) -> JobRequest | None:
    """The job that builds a candidate for the site, if the schedule wants one: none was
    built by the schedule in the last ``every``, and moderators decided at least ``minimum``
    comments since the last one. Its id names the period, so sweepers agree on one job."""
    found, now = learning_site(session, site), now or utcnow()
    slug = found.slug
    last = session.scalar(select(func.max(Candidate.created_at)).where(
        Candidate.site == slug, Candidate.created_by == SCHEDULE_ACTOR))
    if last is not None and now - last < every:
        return None
    since = select(func.count(func.distinct(Decision.comment_id))).join(
        Comment, Comment.id == Decision.comment_id).where(
        Decision.actor.not_in(AUTOMATED), Comment.site_id == found.id)
    if last is not None:
        since = since.where(Decision.created_at > last)
    if (session.scalar(since) or 0) < minimum:
        return None
    seconds = max(int(every.total_seconds()), 1)
    period = int(now.timestamp()) // seconds
    # its result (or failure) is kept for the period, so that the period tries once
    return JobRequest(SCORING_QUEUE, ADAPT_JOB, (slug,), job_id=f"adapt-{slug}-{period}",
                      options={"job_timeout": 3600, "result_ttl": seconds,
                               "failure_ttl": seconds})
