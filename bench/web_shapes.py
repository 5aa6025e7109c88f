"""Bench (d) alone, for one shape of the web server: how many gunicorn processes and
threads, and the scoring worker's niceness, on the machine that runs both.

``python -m bench.web_shapes 3 2 --nice 10`` starts the stack as ``moderation bench``
does (a private Redis, a new SQLite file, one scoring worker with the offline model,
``moderation web``), posts 200 comments to warm up, then ``--rounds`` rounds of
``--posts`` new comments from 8 keep-alive clients while the worker scores them, and
prints one JSON line: per round POST/s, p50 and p99 latency (ms), the web processes'
CPU per POST (ms) and errors. Extra gunicorn options go in ``--gunicorn`` (e.g.
``--worker-class sync``), through gunicorn's ``GUNICORN_CMD_ARGS``.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

import click

WARM_UP = 200
CLIENTS = 8


@click.command()
@click.argument("processes", type=click.IntRange(min=1))
@click.argument("threads", type=click.IntRange(min=1))
@click.option("--nice", type=click.IntRange(0, 19), default=0, show_default=True,
              help="WORKER_NICE of the scoring worker.")
@click.option("--rounds", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--posts", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--gunicorn", "gunicorn_args", default="", help="More gunicorn options.")
@click.option("--model", default="news-minilm-3", show_default=True)
@click.option("--model-config", default=None)
def main(processes: int, threads: int, nice: int, rounds: int, posts: int,
         gunicorn_args: str, model: str, model_config: str | None) -> None:
    """Time the intake of one web server shape."""
    from bench import comments, load, scoring, stack
    from service.config import load_config

    work = Path(tempfile.mkdtemp(prefix="web-shapes-"))
    base = load_config()
    settings = scoring.model_settings(model, model_config, work) | {
        "MODERATION_MODEL_CACHE": base["MODERATION_MODEL_CACHE"],
        "SCORING_BATCH_SIZE": base["SCORING_BATCH_SIZE"], "TORCH_THREADS": os.cpu_count() or 1,
        "RATELIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING", "WORKER_NICE": nice,
    }
    if gunicorn_args:
        settings["GUNICORN_CMD_ARGS"] = gunicorn_args
    figures = []
    with stack.running(work, settings, workers=1, web_workers=processes,
                       web_threads=threads) as service:
        load.post_comments(service.base_url, comments.comments(WARM_UP, seed=9),
                           concurrency=CLIENTS)
        for number in range(rounds):
            stack.drop_waiting_jobs(service)
            time.sleep(1)
            cpu = stack.cpu_seconds(service.web)
            result = load.post_comments(service.base_url,
                                        comments.comments(posts, seed=10 + number),
                                        concurrency=CLIENTS)
            cpu = stack.cpu_seconds(service.web) - cpu
            figures.append([round(result.rps), round(result.percentile(0.5), 1),
                            round(result.percentile(0.99), 1),
                            round(cpu * 1000 / result.requests, 2), result.errors])
    click.echo(json.dumps({"web": f"{processes}x{threads} {gunicorn_args}".strip(),
                           "nice": nice, "load": round(os.getloadavg()[0], 2),
                           "rounds": figures}))


if __name__ == "__main__":
    main()
