"""(g) The scale of a thread: its newest page, with many published comments and replies."""

from __future__ import annotations

import json
import random
import time
import urllib.request
import uuid
from datetime import timedelta

from sqlalchemy import insert

from service.comments.models import Comment, Status
from service.db import make_engine, utcnow

THREAD = "bench-thread"
CHUNK = 5000


def seed(database_url: str, count: int, reply_share: float = 0.3, seed: int = 0) -> None:
    """Store ``count`` published comments in one thread, ``reply_share`` of them replies.

    A reply answers an earlier comment of the thread; the comments are a second apart,
    the newest a minute ago, as if the thread had been busy for a while.
    """
    rng = random.Random(seed)
    engine = make_engine(database_url)
    start = utcnow() - timedelta(seconds=count + 60)
    ids: list[uuid.UUID] = []
    with engine.begin() as connection:
        for first in range(0, count, CHUNK):
            rows = []
            for index in range(first, min(first + CHUNK, count)):
                parent = rng.choice(ids) if ids and rng.random() < reply_share else None
                ids.append(uuid.uuid4())
                rows.append({"id": ids[-1], "thread_id": THREAD, "parent_id": parent,
                             "author": f"Reader {index % 500}", "body": f"Comment {index}.",
                             "status": Status.APPROVED,
                             "created_at": start + timedelta(seconds=index),
                             "decided_at": start + timedelta(seconds=index)})
            connection.execute(insert(Comment), rows)
    engine.dispose()


def page_latencies(base_url: str, samples: int) -> tuple[list[float], int]:
    """Milliseconds to GET the thread's newest page (and how many comments it held).

    Each sample is one request on a new connection, after one warm-up request.
    """
    url = f"{base_url}/api/v1/threads/{THREAD}/comments?order=newest"
    listed = _get(url)
    latencies = []
    for _ in range(samples):
        started = time.perf_counter()
        _get(url)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, listed


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        body = json.loads(response.read())
    return len(body.get("comments", body.get("items", [])))
