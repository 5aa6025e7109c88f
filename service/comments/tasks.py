"""The comments' jobs: scoring, run by ``workers.scoring.jobs.score_comment``, the
explanation of the model's holds, run by ``workers.scoring.explaining.explain_held``, and
the nudge before posting, run by ``workers.scoring.nudging.nudge_waiting``.

A nudge request waits on ``NUDGE_PENDING_KEY`` (its text, site and deadline) and queues
one job on the high-priority ``analyze`` queue; the job decides every request then
waiting in one forward pass and pushes each its verdict under ``nudge_result_key(id)``,
where the web request waits. Neither the job's id, its arguments nor its result hold any
text, and RQ keeps no result.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rq import Retry

from service.queueing import ANALYZE_QUEUE, EXPLAIN_QUEUE, SCORING_QUEUE, JobRequest

SCORE_JOB = "workers.scoring.jobs.score_comment"
EXPLAIN_JOB = "workers.scoring.explaining.explain_held"
NUDGE_JOB = "workers.scoring.nudging.nudge_waiting"
NUDGE_PENDING_KEY = "comments:nudge:pending"
"""A list of JSON requests ``{"id", "site_id", "text", "deadline"}`` waiting for a verdict."""
NUDGE_RESULT_TTL_SECONDS = 30
"""How long a verdict waits for a request that has given up (it deletes it on reading)."""
MAX_NUDGES_PER_JOB = 64
_KEEP = {"result_ttl": 600, "failure_ttl": 7 * 24 * 3600}


def scoring_job(comment_id: uuid.UUID | str, *, fresh: bool = False) -> JobRequest:
    """The scoring job of a comment, under a stable id (``score-<comment id>``).

    Args:
        comment_id: the comment.
        fresh: the comment is being created, so no job can have its id yet.
    """
    return JobRequest(
        SCORING_QUEUE, SCORE_JOB, (str(comment_id),), job_id=f"score-{comment_id}",
        options={"retry": Retry(max=3, interval=[10, 60, 300]), "job_timeout": 600, **_KEEP},
        fresh=fresh,
    )


def explain_job(comment_ids: Sequence[uuid.UUID | str], *, fresh: bool = False) -> JobRequest:
    """One job that explains the model's holds of comments decided together, named after
    the first of them (``explain-<comment id>``).

    Not retried by RQ: the sweeper queues again what is still unexplained.

    Args:
        comment_ids: the comments, at least one.
        fresh: their model decisions are being written, so no job can have the id yet.
    """
    ids = tuple(str(comment_id) for comment_id in comment_ids)
    return JobRequest(EXPLAIN_QUEUE, EXPLAIN_JOB, ids, job_id=f"explain-{ids[0]}",
                      options={"job_timeout": 600, **_KEEP}, fresh=fresh)


def nudge_result_key(request_id: str) -> str:
    """The list where the verdict of nudge request ``request_id`` is pushed."""
    return f"comments:nudge:result:{request_id}"


def nudge_job(request_id: str, timeout: float) -> JobRequest:
    """The job that decides nudge request ``request_id`` (and any other waiting then).

    Args:
        request_id: a random id, which names the job (``nudge-<id>``).
        timeout: how long the request waits; a job queued longer is dropped by RQ.
    """
    return JobRequest(
        ANALYZE_QUEUE, NUDGE_JOB, (), job_id=f"nudge-{request_id}",
        options={"ttl": max(1, round(timeout + 1)), "job_timeout": 60, "result_ttl": 0,
                 "failure_ttl": 300, "description": "nudge before posting"},
    )
