"""Where the scoring worker's time goes beside the forward pass: each part timed in-process.

``python -m bench.worker_path [N]`` starts a private ``redis-server`` and a new SQLite
file (or ``--database-url``), stores N of the bench's comments as pending and queues
their jobs as bench (c) does (one job per comment), and runs one scoring worker in this
process (``ModerationWorker``, burst mode, the ``scoring`` queue) until none is left,
after a warm-up round. ``time.process_time`` and the wall clock are added up around
each part of the path: RQ's loop and job bookkeeping, the lease, the spam screen (the
MinHash fingerprints), the tokenizer, the forward pass, the policy, the writes and the
commit, the explain job's queueing. A profiler's own cost grows with the number of
calls and skews such short parts; these wrappers cost about a microsecond each.

The figures are per comment decided. The forward pass (ONNX Runtime's ``run``) is
timed on its own, so "beside the forward pass" is the worker's whole time less it.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import psutil

WARM_UP = 128

Part = tuple[Any, str, str]
Totals = dict[str, list[float]]


def parts() -> list[Part]:
    """(owner, attribute, label) of each part timed; labels sort as the path nests."""
    from rq.worker import BaseWorker
    from sqlalchemy.orm import Session

    import service.comments.campaigns as campaigns
    import service.comments.events as events
    import service.queueing as queueing
    import service.webhooks.tasks as webhooks
    import workers.scoring.jobs as jobs
    from service.moderation.learning.scoring import Deciders

    return [
        (BaseWorker, "dequeue_job_and_maintain_ttl", "1 RQ: dequeue (BLPOP, job fetch)"),
        (BaseWorker, "perform_job", "1 RQ: perform_job (bookkeeping and the job)"),
        (jobs, "score_comment", "2 the job (score_comment)"),
        (jobs, "claim", "3 lease (claim: SELECT, UPDATE, SELECT)"),
        (jobs, "spam_settings", "3 spam settings"),
        (jobs, "screen", "3 spam screen (campaigns.screen)"),
        (campaigns, "fingerprint", "4 MinHash fingerprints"),
        (campaigns, "fingerprints", "4 MinHash fingerprints"),
        (campaigns, "_near_duplicates", "4 near-duplicate scan"),
        (campaigns, "_floods", "4 flood scan"),
        (jobs, "drop_jobs_done", "3 the decided comments' jobs dropped"),
        (jobs, "site_deciders", "3 site deciders (policy, candidates)"),
        (jobs, "detect", "3 language detection"),
        (jobs, "hold_reasons", "3 pre-moderation hold reasons"),
        (Deciders, "decide", "3 policy (Deciders.decide)"),
        (jobs, "win", "3 win (UPDATE ... RETURNING)"),
        (jobs, "record_model_decisions", "3 record decisions and events"),
        (jobs, "store_comment_vectors", "3 sentence vectors stored"),
        (events, "_payload", "4 event payloads"),
        (Deciders, "record_shadows", "3 shadow decisions"),
        (Session, "commit", "3 commits (lease's, batch's, with what runs in them)"),
        (webhooks, "_fan_out_new_events", "4 webhooks fan-out check (flush hook)"),
        (queueing, "enqueue", "4 explain job enqueue (after commit)"),
    ]


def timed(totals: Totals, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, adding its CPU and wall seconds to ``totals[label]`` (a generator's
    are its items', so it is run to its end at once)."""
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        try:
            result = function(*args, **kwargs)
            return list(result) if inspect.isgenerator(result) else result
        finally:
            spent = totals.setdefault(label, [0.0, 0.0])
            spent[0] += time.process_time() - cpu
            spent[1] += time.perf_counter() - wall

    return wrapper


class _Timed:
    """A stand-in for an object (the tokenizer, the ORT session) whose methods are timed."""

    def __init__(self, inner: Any, totals: Totals, methods: dict[str, str]) -> None:
        self._inner = inner
        for name, label in methods.items():
            setattr(self, name, timed(totals, label, getattr(inner, name)))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextmanager
def patched(items: list[Part], totals: Totals) -> Iterator[None]:
    items = [item for item in items if hasattr(item[0], item[1])]  # an older tree lacks some
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in items]
    for owner, attribute, label in items:
        setattr(owner, attribute, timed(totals, label, getattr(owner, attribute)))
    try:
        yield
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)


def run(app: Any, redis_url: str, bodies: list[str], totals: Totals) -> tuple[float, float]:
    """Queue ``bodies`` as pending comments and let one in-process worker drain them,
    with each part timed.

    Returns:
        The worker's CPU and wall seconds.
    """
    from redis import Redis
    from sqlalchemy import func, select

    from bench.pipeline import THREAD, store
    from service.comments.models import Comment, Status
    from service.comments.tasks import scoring_job
    from service.queueing import SCORING_QUEUE, enqueue, queue
    from workers.worker import ModerationWorker

    connection = Redis.from_url(redis_url)
    ids = store(app.config["DATABASE_URL"], bodies)
    enqueue((scoring_job(id_) for id_ in ids), connection=connection)
    worker = ModerationWorker([queue(SCORING_QUEUE, connection)], app=app, connection=connection)
    with patched([*parts(), (worker, "work", "0 the worker, all of it")], totals):
        cpu, wall = time.process_time(), time.perf_counter()
        worker.work(burst=True, logging_level="WARNING")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    with app.app_context():
        from service import db

        left = db.session().scalar(select(func.count()).select_from(Comment).where(
            Comment.thread_id == THREAD, Comment.status == Status.PENDING))
    if left:
        raise click.ClickException(f"{left} comments are still pending")
    return cpu, wall


def news_comments(count: int, seed: int = 1) -> list[str]:
    """``count`` real news comments drawn at random from the natural-balance sample."""
    import csv
    import random

    from modelkit.sources import DEFAULT_DATA_DIR

    with open(DEFAULT_DATA_DIR / "civil_comments_random" / "train.csv", newline="") as file:
        texts = [row["comment_text"] for row in csv.DictReader(file)]
    return random.Random(seed).sample(texts, min(count, len(texts)))


@click.command()
@click.argument("count", type=click.IntRange(min=1), default=1024)
@click.option("--database-url", default=None, help="An empty database (default: new SQLite).")
@click.option("--model-cache", default=None, help="MODERATION_MODEL_CACHE (default: the "
                                                  "configured one).")
@click.option("--model", default=None, help="MODERATION_MODEL (default: the configured one).")
@click.option("--model-config", default=None, help="MODERATION_MODEL_CONFIG of a checkpoint.")
@click.option("--backend", default="onnx-int8", show_default=True)
@click.option("--batch-size", type=click.IntRange(min=1), default=None,
              help="SCORING_BATCH_SIZE (default: the configured one).")
@click.option("--threads", type=click.IntRange(min=1), default=1, show_default=True,
              help="ONNX Runtime's threads (TORCH_THREADS).")
@click.option("--texts", type=click.Choice(["bench", "news"]), default="bench",
              show_default=True, help="The bench's template comments, or real news comments "
                                      "(natural balance, ../shared/data; never printed).")
def main(count: int, database_url: str | None, model_cache: str | None, model: str | None,
         model_config: str | None, backend: str, batch_size: int | None, threads: int,
         texts: str) -> None:
    """Time each part of the scoring worker's path over COUNT comments, in-process."""
    from bench import comments
    from cli import redis_server
    from service.app import create_app
    from service.config import load_config
    from service.migrate import upgrade
    from workers.scoring.scorer import load_scorer

    work = Path(tempfile.mkdtemp(prefix="worker-path-"))
    redis_process = redis_server.start(port := redis_server.free_port(), work)
    try:
        url = database_url or f"sqlite:///{work / 'worker-path.db'}"
        upgrade(url)
        base = load_config()
        app = create_app({
            "DATABASE_URL": url, "REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "SECRET_KEY": "worker-path", "MODERATION_INSTANCE_DIR": str(work / "instance"),
            "MODERATION_MODEL_CACHE": model_cache or base["MODERATION_MODEL_CACHE"],
            "MODERATION_MODEL": model or base["MODERATION_MODEL"],
            "MODERATION_MODEL_CONFIG": model_config or base["MODERATION_MODEL_CONFIG"],
            "SCORER_BACKEND": backend, "TORCH_THREADS": threads,
            "SCORING_BATCH_SIZE": batch_size or base["SCORING_BATCH_SIZE"]})
        scorer = load_scorer(app.config)
        totals: Totals = {}
        scorer.session = _Timed(scorer.session, totals, {"run": "4 forward pass (ORT run)"})
        scorer.score_and_embed = timed(totals, "3 the scorer, all of it",  # type: ignore[method-assign]
                                       scorer.score_and_embed)
        scorer.token_ids = timed(totals, "4 tokenizer", scorer.token_ids)
        redis_url = app.config["REDIS_URL"]
        if texts == "bench":
            warm, measured = comments.comments(WARM_UP, seed=11), comments.comments(count, seed=1)
        else:
            news = news_comments(WARM_UP + count)
            warm, measured = news[:WARM_UP], news[WARM_UP:]
        run(app, redis_url, warm, totals)
        totals.clear()
        cpu, wall = run(app, redis_url, measured, totals)
    finally:
        redis_process.terminate()
    forward = totals.get("4 forward pass (ORT run)", [0.0, 0.0])
    load = os.getloadavg()
    memory = psutil.Process().memory_info()
    click.echo(f"{count} {texts} comments, {backend} ({threads} thread(s)), "
               f"load {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}: "
               f"worker CPU {cpu * 1000 / count:.3f} ms per comment (wall "
               f"{wall * 1000 / count:.3f}); the forward pass {forward[0] * 1000 / count:.3f} "
               f"(wall {forward[1] * 1000 / count:.3f}); beside it "
               f"{(cpu - forward[0]) * 1000 / count:.3f} ms of CPU (wall "
               f"{(wall - forward[1]) * 1000 / count:.3f}); this process's RSS "
               f"{memory.rss >> 20} MB")
    click.echo(f"  {'part':58s} {'CPU us':>8s} {'wall us':>8s}")
    for label, (part_cpu, part_wall) in sorted(totals.items()):
        click.echo(f"  {label:58s} {part_cpu * 1e6 / count:8.1f} {part_wall * 1e6 / count:8.1f}")
    click.echo(json.dumps({"comments": count, "texts": texts, "backend": backend,
                           "threads": threads, "load": load,
                           "cpu_ms_per_comment": cpu * 1000 / count,
                           "beside_forward_cpu_ms": (cpu - forward[0]) * 1000 / count,
                           "beside_forward_wall_ms": (wall - forward[1]) * 1000 / count,
                           "parts_us": {label: [round(v * 1e6 / count, 1) for v in value]
                                        for label, value in sorted(totals.items())}}))


if __name__ == "__main__":
    main()
