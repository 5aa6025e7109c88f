"""The comments' job: scoring, run by ``workers.scoring.jobs.score_comment``."""

from __future__ import annotations

import uuid

from rq import Retry

from service.queueing import SCORING_QUEUE, JobRequest

SCORE_JOB = "workers.scoring.jobs.score_comment"


def scoring_job(comment_id: uuid.UUID | str, *, fresh: bool = False) -> JobRequest:
    """The scoring job of a comment, under a stable id (``score-<comment id>``).

    Args:
        comment_id: the comment.
        fresh: the comment is being created, so no job can have its id yet.
    """
    return JobRequest(
        SCORING_QUEUE, SCORE_JOB, (str(comment_id),), job_id=f"score-{comment_id}",
        options={"retry": Retry(max=3, interval=[10, 60, 300]), "job_timeout": 600,
                 "result_ttl": 600, "failure_ttl": 7 * 24 * 3600}, fresh=fresh,
    )
