"""The service running for real on this machine: Redis, a database, workers and the web app.

Every process is started as an operator would start it (``moderation worker``,
``moderation web``), each on a free port, and stopped when the benchmark ends.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
from redis import Redis
from rq import Queue

from bench.load import WIDGET_ORIGIN
from cli import redis_server
from service.health import SCORER_KEY
from service.migrate import upgrade
from service.queueing import ANALYZE_QUEUE, EXPLAIN_QUEUE, SCORING_QUEUE

READY_TIMEOUT_SECONDS = 300
WORKER_STOP_SECONDS = 180


@dataclass
class Stack:
    """The running service: where it answers and the processes that serve it."""

    redis_url: str
    database_url: str
    base_url: str
    env: dict[str, str]
    workers: list[subprocess.Popen] = field(default_factory=list)
    web: subprocess.Popen | None = None

    def redis(self) -> Redis:
        return Redis.from_url(self.redis_url)


@contextmanager
def running(work_dir: Path, settings: Mapping[str, Any], *, workers: int, web_workers: int,
            web_threads: int, database_url: str | None = None,
            profile_dir: Path | None = None) -> Iterator[Stack]:
    """Start Redis, migrate the database, start ``workers`` scoring workers and the web app.

    Args:
        work_dir: folder for the SQLite file, Redis's files and the processes' logs.
        settings: environment settings for every process (model, backend, threads...).
        workers: scoring worker processes.
        web_workers: gunicorn worker processes.
        web_threads: threads per gunicorn worker.
        database_url: a database to use instead of a new SQLite file; it should be empty.
        profile_dir: when given, each worker runs under cProfile and writes
            ``worker-N.prof`` there when it stops.
    """
    with ExitStack() as stack:
        port = redis_server.free_port()
        redis_process = redis_server.start(port, work_dir / "redis", appendonly=False)
        stack.callback(_stop, redis_process)
        redis_url = f"redis://127.0.0.1:{port}/0"
        database_url = database_url or f"sqlite:///{work_dir / 'bench.db'}"
        upgrade(database_url)
        web_port = redis_server.free_port()
        env = os.environ | {key: str(value) for key, value in settings.items()} | {
            "REDIS_URL": redis_url, "DATABASE_URL": database_url,
            "MODERATION_INSTANCE_DIR": str(work_dir / "instance"), "PYTHONUNBUFFERED": "1",
            "CORS_ALLOWED_ORIGINS": WIDGET_ORIGIN,  # the intake's page, as the widget's
        }
        running_stack = Stack(redis_url, database_url, f"http://127.0.0.1:{web_port}", env)
        logs = work_dir / "logs"
        logs.mkdir(exist_ok=True)
        for number in range(workers):
            profile = profile_dir / f"worker-{number}.prof" if profile_dir else None
            # The queues of the Procfile's worker: explanations when no comment waits.
            process = _spawn(["worker", "--queue", ANALYZE_QUEUE, "--queue", SCORING_QUEUE,
                              "--queue", EXPLAIN_QUEUE], env, logs / f"worker-{number}.log",
                             profile)
            # A worker stops after its current job: up to a batch of a slow model.
            stack.callback(_stop, process, WORKER_STOP_SECONDS)
            running_stack.workers.append(process)
        # Runs before the workers are stopped: jobs left from the intake load are dropped.
        stack.callback(drop_waiting_jobs, running_stack)
        running_stack.web = _spawn(
            ["web", "--host", "127.0.0.1", "--port", str(web_port), "--workers",
             str(web_workers), "--threads", str(web_threads)], env, logs / "web.log")
        stack.callback(_stop, running_stack.web)
        _wait_for_workers(running_stack, workers, logs)
        _wait_for_web(running_stack, logs)
        yield running_stack


def perspective_key(stack: Stack) -> str:
    """A new Perspective API key (``moderation keys create``) with room for any load."""
    created = subprocess.run([sys.executable, "-m", "cli", "keys", "create", "bench", "--quota",
                              "100000"], env=stack.env, capture_output=True, text=True,
                             timeout=120, check=True)
    return created.stdout.strip().splitlines()[-1]


def rss_mb(process: subprocess.Popen) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB."""
    return (psutil.Process(process.pid).memory_info().rss / 2**20,
            _peak_rss(process.pid) / 2**20)


def cpu_seconds(process: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by the process and its children (gunicorn's
    workers)."""
    parent = psutil.Process(process.pid)
    total = 0.0
    for member in [parent, *parent.children(recursive=True)]:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _peak_rss(pid: int) -> int:
    """``VmHWM``: the peak resident set that Linux records (psutil does not read it)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _spawn(args: list[str], env: Mapping[str, str], log: Path,
           profile: Path | None = None) -> subprocess.Popen:
    python = [sys.executable, "-m", "cProfile", "-o", str(profile)] if profile else [sys.executable]
    with log.open("wb") as output:
        return subprocess.Popen([*python, "-m", "cli", *args], env=dict(env), stdout=output,
                                stderr=subprocess.STDOUT)


def _wait_for_workers(stack: Stack, count: int, logs: Path) -> None:
    connection = stack.redis()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        keys = list(connection.scan_iter(SCORER_KEY.format(worker="*")))
        states = [json.loads(raw) for raw in connection.mget(keys) if raw] if keys else []
        if failed := [state for state in states if state.get("status") == "error"]:
            raise RuntimeError(f"a worker could not load the model: {failed[0]['error']}")
        if sum(state.get("status") == "ready" for state in states) >= count:
            return
        if any(process.poll() is not None for process in stack.workers):
            raise RuntimeError(f"a worker exited; see {logs}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not load the model in time; see {logs}")
        time.sleep(0.2)


def _wait_for_web(stack: Stack, logs: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{stack.base_url}/healthz", timeout=2):
                return
        except OSError:
            if stack.web is not None and stack.web.poll() is not None:
                raise RuntimeError(f"the web app exited; see {logs / 'web.log'}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"the web app did not answer; see {logs / 'web.log'}") from None
            time.sleep(0.2)


def drop_waiting_jobs(stack: Stack) -> None:
    """Empty the scoring and explain queues (the comments of the jobs dropped stay pending,
    or unexplained), so that the next phase's workers do only its own work."""
    for name in (SCORING_QUEUE, EXPLAIN_QUEUE):
        Queue(name, connection=stack.redis()).empty()


def _stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
