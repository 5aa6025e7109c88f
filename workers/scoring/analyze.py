"""The analyze job: score every Perspective-compatible request waiting, in one pass.

Requests wait in a Redis list (``service.perspective.tasks``); each web request queues
one job, and the first job to run takes every request then waiting, so that
concurrent requests share a forward pass and the later jobs find nothing to do. The
texts are never logged, and neither the job's arguments nor its result hold them.
"""

from __future__ import annotations

import json
import logging
import time
from typing import cast

from flask import current_app

from service.perspective.tasks import (
    MAX_REQUESTS_PER_JOB,
    PENDING_KEY,
    RESULT_TTL_SECONDS,
    result_key,
)
from service.queueing import redis
from workers.scoring.scorer import load_scorer

log = logging.getLogger(__name__)


def analyze_waiting() -> dict[str, int]:
    """Score the requests waiting, push each its scores, and say how many were scored.

    Requests whose client has stopped waiting are dropped unscored. When scoring
    fails, every request taken is told so at once (it answers 503), and the error's
    class (not its message, which might quote a text) is raised for RQ to record.

    Returns:
        ``{"requests": n, "texts": m}``: requests answered and texts scored.
    """
    connection = redis()
    raw = cast("list[bytes] | None", connection.lpop(PENDING_KEY, MAX_REQUESTS_PER_JOB))
    now = time.time()
    requests = [request for request in map(json.loads, raw or [])
                if request["deadline"] > now]
    if not requests:
        return {"requests": 0, "texts": 0}
    texts = [text for request in requests for text in request["texts"]]
    pipeline = connection.pipeline()
    try:
        scorer = load_scorer(current_app.config)
        rows = scorer.score(texts)
    except Exception as error:
        for request in requests:
            key = result_key(request["id"])
            pipeline.rpush(key, json.dumps({"error": error.__class__.__name__}))
            pipeline.expire(key, RESULT_TTL_SECONDS)
        pipeline.execute()
        # Not the error itself: its message might quote a text.
        raise RuntimeError(f"scoring failed: {error.__class__.__name__}") from None
    start = 0
    for request in requests:
        count = len(request["texts"])
        key = result_key(request["id"])
        pipeline.rpush(key, json.dumps({"model": scorer.model_id,
                                        "scores": rows[start:start + count]}))
        pipeline.expire(key, RESULT_TTL_SECONDS)
        start += count
    pipeline.execute()
    log.info("analyzed %d requests (%d texts) in one pass", len(requests), len(texts))
    return {"requests": len(requests), "texts": len(texts)}
