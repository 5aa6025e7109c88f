"""The whole service as real processes: PostgreSQL, Redis, gunicorn, workers, sweeper.

One stack serves every fault test of the session; each test starts from a healthy
stack (``stack`` heals it) and leaves its own thread of comments behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis.exceptions import RedisError
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from cli import redis_server
from tests.support.processes import (
    Command,
    PostgresCluster,
    RedisServer,
    http_json,
    tail,
    wait_until,
)

OUTPUT = Path(__file__).parents[1] / "output" / "faults.txt"
SCORING_WORKERS = 3
LEASE_SECONDS = 3
FAULT_SETTINGS = {
    "SCORING_LEASE_SECONDS": str(LEASE_SECONDS),
    "SWEEP_AFTER_SECONDS": "2",
    "SWEEP_INTERVAL_SECONDS": "1",
    "SCORING_BATCH_SIZE": "16",
    "TORCH_THREADS": "1",
    "RATELIMIT_ENABLED": "false",
    "MAX_PENDING_PER_THREAD": "0",
    "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    "WEBHOOK_RETRY_SCALE": "0.005",  # retries after 0, 0.03, 1.5, 9, 36 s, ...
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "SECRET_KEY": "faults",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Stack:
    """The service's processes, and what a test needs to hurt and heal them."""

    root: Path
    redis: RedisServer
    database_url: str
    env: dict[str, str]
    postgres: PostgresCluster | None = None
    web: Command | None = None
    sweeper: Command | None = None
    webhooks: Command | None = None
    workers: list[Command] = field(default_factory=list)
    port: int = field(default_factory=redis_server.free_port)
    respawns: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def engine(self) -> Engine:
        return create_engine(self.database_url, pool_pre_ping=True)

    def command(self, name: str, *args: str) -> Command:
        return Command(name, list(args), self.env, self.root / "logs")

    def start(self) -> None:
        (self.root / "logs").mkdir(parents=True, exist_ok=True)
        self.moderation("db", "upgrade")
        self.web = self.command("web", "web", "--host", "127.0.0.1", "--port", str(self.port),
                                "--workers", "2").start()
        self.sweeper = self.command("sweeper", "sweep").start()
        self.webhooks = self.command("webhooks", "worker", "--queue", "webhooks").start()
        self.workers = [self.command(f"scoring-{n}", "worker", "--queue", "scoring").start()
                        for n in range(SCORING_WORKERS)]
        wait_until(self.web_answers, 60, "gunicorn answering /healthz")
        self.wait_workers_ready(120)

    def moderation(self, *args: str, stdin: str = "") -> str:
        """Run a ``moderation`` command to its end; return what it printed."""
        done = subprocess.run([sys.executable, "-m", "cli", *args], env=self.env,
                              input=stdin, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def web_answers(self) -> bool:
        try:
            return http_json("GET", f"{self.base_url}/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    def ready_pids(self) -> set[int]:
        """Pids of the scoring workers whose model is loaded, as they report it in Redis."""
        client = self.redis.client()
        try:
            keys = client.keys("moderation:scorer:*")
            states = [json.loads(raw) for raw in client.mget(keys) if raw] if keys else []
        except RedisError:  # Redis may be down while we look
            return set()
        return {state["pid"] for state in states if state.get("status") == "ready"}

    def wait_workers_ready(self, timeout: float) -> None:
        def wanted():
            return {w.pid for w in self.workers if w.alive()} <= self.ready_pids()
        try:
            wait_until(wanted, timeout, "scoring workers loading the model", interval=0.2)
        except TimeoutError:
            raise TimeoutError("\n".join(tail(w.log, 15) for w in self.workers)) from None

    def supervise(self) -> None:
        """What a process manager does: start again any process that has exited."""
        for process in [*self.workers, self.sweeper, self.webhooks, self.web]:
            if process is not None and not process.alive():
                process.start()
                self.respawns += 1

    def heal(self) -> None:
        """Everything running and answering again."""
        if not self.redis.answers():
            self.redis.start()
        if self.postgres is not None:
            engine = self.engine()
            try:
                with engine.connect():
                    pass
            except Exception:
                self.postgres.start()
            finally:
                engine.dispose()
        self.supervise()
        wait_until(self.web_answers, 60, "gunicorn answering /healthz")
        self.wait_workers_ready(120)

    def stop(self) -> None:
        for process in [self.web, self.sweeper, self.webhooks, *self.workers]:
            if process is not None:
                process.stop(timeout=5)
        self.redis.stop()
        if self.postgres is not None:
            self.postgres.destroy()


@pytest.fixture(scope="session")
def fault_stack(tmp_path_factory: pytest.TempPathFactory,
                tiny_model: dict[str, str]) -> Iterator[Stack]:
    """PostgreSQL (a private cluster, else SQLite), Redis, web, workers, sweeper.

    The workers: three on the scoring queue, one on the webhooks queue.
    """
    root = tmp_path_factory.mktemp("faults")
    postgres = None
    if PostgresCluster.unavailable() is None:
        postgres = PostgresCluster().create()
        database_url = postgres.url
    else:
        database_url = f"sqlite:///{root / 'faults.db'}"
    redis = RedisServer(root / "redis").start()
    env = os.environ | FAULT_SETTINGS | tiny_model | {
        "DATABASE_URL": database_url, "REDIS_URL": redis.url,
        "MODERATION_INSTANCE_DIR": str(root / "instance"),
    }
    stack = Stack(root, redis, database_url, env, postgres)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()
        logs = root / "logs"
        if logs.exists():
            keep = OUTPUT.parent / "faults-logs"
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(logs, keep)


@pytest.fixture
def stack(fault_stack: Stack) -> Iterator[Stack]:
    """The stack, healthy at the start and the end of the test."""
    fault_stack.heal()
    yield fault_stack
    fault_stack.heal()


@pytest.fixture
def report(request: pytest.FixtureRequest, capsys: pytest.CaptureFixture):
    """Print a test's figures in the test output, and add them to tests/output/faults.txt."""

    def _report(figures: dict[str, object]) -> None:
        line = f"{request.node.name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        with OUTPUT.open("a") as out:
            out.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {line}\n")
        with capsys.disabled():
            print(f"\n  [faults] {line}")

    return _report
