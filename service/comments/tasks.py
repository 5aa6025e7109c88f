"""The comments' jobs: scoring, run by ``workers.scoring.jobs.score_comment``, and the
explanation of the model's holds, run by ``workers.scoring.explaining.explain_held``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from rq import Retry

from service.queueing import EXPLAIN_QUEUE, SCORING_QUEUE, JobRequest

SCORE_JOB = "workers.scoring.jobs.score_comment"
EXPLAIN_JOB = "workers.scoring.explaining.explain_held"
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
