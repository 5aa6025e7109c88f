"""The analyze job, run by ``workers.scoring.analyze.analyze_waiting``, and its Redis keys.

A web request puts its texts on ``PENDING_KEY`` and queues one job on the
high-priority ``analyze`` queue; the job scores every request then waiting in one
forward pass and pushes each its scores under ``result_key(id)``, where the request
waits for them. Neither the job's id, its arguments nor its result hold any text,
and RQ keeps no result (``result_ttl=0``).
"""

from __future__ import annotations

from service.queueing import ANALYZE_QUEUE, JobRequest

ANALYZE_JOB = "workers.scoring.analyze.analyze_waiting"
PENDING_KEY = "perspective:analyze:pending"
"""A list of JSON requests ``{"id", "texts", "deadline"}`` waiting to be scored."""
RESULT_TTL_SECONDS = 30
"""How long scores wait for a request that has given up (it deletes them on reading)."""
MAX_REQUESTS_PER_JOB = 64


def result_key(request_id: str) -> str:
    """The list where the scores of request ``request_id`` are pushed."""
    return f"perspective:analyze:result:{request_id}"


def analyze_job(request_id: str, timeout: float) -> JobRequest:
    """The job that scores request ``request_id`` (and any other waiting then).

    Args:
        request_id: a random id, which names the job (``analyze-<id>``).
        timeout: how long the request waits; a job queued longer is dropped by RQ.
    """
    return JobRequest(
        ANALYZE_QUEUE, ANALYZE_JOB, (), job_id=f"analyze-{request_id}",
        options={"ttl": max(1, round(timeout + 1)), "job_timeout": 60, "result_ttl": 0,
                 "failure_ttl": 300, "description": "perspective analyze"},
    )
