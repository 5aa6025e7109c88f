"""Prometheus metrics of the web and worker processes.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``moderation up`` and the Procfile set it),
the processes of one host share their figures and ``/metrics`` shows their sum.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import cast

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError

COMMENTS_RECEIVED = Counter("moderation_comments_received", "Comments accepted with 202.")
DECISIONS = Counter("moderation_decisions", "Decisions taken.", ["outcome", "actor"])
SCORING_SECONDS = Histogram(
    "moderation_scoring_seconds", "Time to score one batch of comments.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SCORING_BATCH_SIZE = Histogram(
    "moderation_scoring_batch_size", "Comments scored in one forward pass.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
TIME_TO_DECISION = Histogram(
    "moderation_time_to_decision_seconds", "From a comment's arrival to the model's decision.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
HUMAN_TIME_TO_DECISION = Histogram(
    "moderation_human_time_to_decision_seconds",
    "From a held comment's arrival to a moderator's decision on it.",
    buckets=(60, 300, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 24 * 3600, 72 * 3600),
)
NUDGES_SHOWN = Counter("moderation_nudges_shown",
                       "Nudges before posting shown to writers (nothing stored).")
NUDGE_OUTCOMES = Counter(
    "moderation_nudge_outcomes",
    "What writers did after a nudge: revised, posted_anyway, or abandoned (no POST within "
    "30 minutes; counted by the sweeper).", ["outcome"])
NUDGES_UNANSWERED = Counter(
    "moderation_nudges_unanswered",
    "Nudge checks that no worker answered in time: the comment was posted as usual.")


class QueueDepthCollector:
    """Reads the depth of each RQ queue from Redis at scrape time."""

    def __init__(self, connection: Redis, queues: tuple[str, ...]) -> None:
        self.connection, self.queues = connection, queues

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("moderation_queue_depth", "Jobs waiting in a queue.",
                                  labels=["queue"])
        for name in self.queues:
            try:
                # cast: redis types every command of its sync client as maybe awaitable.
                depth = cast(int, self.connection.llen(f"rq:queue:{name}"))
                gauge.add_metric([name], depth)
            except RedisError:
                continue
        yield gauge


def exposition(connection: Redis, queues: tuple[str, ...], *, detail: bool = False,
               extra: Sequence[Collector] = ()) -> tuple[bytes, str]:
    """The metrics page: this process's (or this host's) metrics and the queue depths.

    Args:
        detail: add the process's own metrics (Python version, memory, file handles).
        extra: more collectors read at scrape time (the waiting comments' ages).
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(QueueDepthCollector(connection, queues))
        for collector in extra:
            registry.register(collector)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    registry = CollectorRegistry()
    registry.register(QueueDepthCollector(connection, queues))
    for collector in extra:
        registry.register(collector)
    own = generate_latest(REGISTRY)
    if not detail:
        own = b"\n".join(line for line in own.split(b"\n") if not _of_the_process(line))
    return own + generate_latest(registry), CONTENT_TYPE_LATEST


PROCESS_PREFIXES = (b"python", b"process")
"""The default collectors' metrics: the process, its platform and garbage collector."""


def _of_the_process(line: bytes) -> bool:
    name = line.removeprefix(b"# HELP ").removeprefix(b"# TYPE ")
    return name.split(b"_", 1)[0] in PROCESS_PREFIXES
