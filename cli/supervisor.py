"""``moderation up``: every process of the service on one machine, for development."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from cli import redis_server
from service.config import load_config
from service.migrate import upgrade

MAX_BACKOFF_SECONDS = 60
STOP_SECONDS = 10
"""How long Ctrl-C waits for the processes (a worker finishing its batch) before killing."""


@dataclass
class Child:
    """A process that ``up`` keeps running, restarted with backoff when it exits."""

    name: str
    args: list[str]
    process: subprocess.Popen | None = None
    backoff: float = 1.0
    restart_at: float = field(default=0.0)

    def start(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "cli", *self.args], env=env)
        self.started = time.monotonic()

    def check(self, env: dict[str, str]) -> None:
        if self.process is None or self.process.poll() is None:
            return
        now = time.monotonic()
        if not self.restart_at:
            if now - self.started > 60:
                self.backoff = 1.0
            click.echo(f"{self.name} exited with {self.process.returncode}; restarting in "
                       f"{self.backoff:.0f} s", err=True)
            self.restart_at = now + self.backoff
            self.backoff = min(self.backoff * 2, MAX_BACKOFF_SECONDS)
        elif now >= self.restart_at:
            self.restart_at = 0.0
            self.start(env)

    stop_signal: int = signal.SIGTERM
    """What asks the process to stop: gunicorn takes SIGINT as "now", SIGTERM as "drain"."""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(self.stop_signal)

    def wait(self, deadline: float) -> str:
        """Wait for the process until ``deadline`` (monotonic), then kill it; say which."""
        if self.process is None:
            return f"{self.name} was not running"
        try:
            self.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            return f"stopped {self.name} (pid {self.process.pid})"
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return f"killed {self.name} (pid {self.process.pid}): it did not stop in time"


def run_all(host: str, port: int) -> None:
    """Start Redis (when none answers), migrate, then run web, worker and sweeper.

    Ctrl-C stops everything that was started here at once (the web server does not wait
    for open keep-alive connections), and says what it stopped.
    """
    config = load_config()
    instance = Path(config["MODERATION_INSTANCE_DIR"])
    redis_url, redis_process = redis_server.ensure(config["REDIS_URL"], instance / "redis")
    if redis_process:
        click.echo(f"started redis-server at {redis_url} (data in {instance / 'redis'})")
    metrics_dir = instance / "metrics"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir(parents=True)
    env = os.environ | {"REDIS_URL": redis_url, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    upgrade(config["DATABASE_URL"])
    children = [
        Child("web", ["web", "--host", host, "--port", str(port)], stop_signal=signal.SIGINT),
        Child("worker", ["worker"]),
        Child("sweeper", ["sweep"]),
    ]
    for child in children:
        child.start(env)
    base = f"http://{host}:{port}"
    click.echo(f"\n  demo article:  {base}/\n  dashboard:     {base}/dashboard/\n"
               f"  API:           {base}/api/v1/threads/ukraine-peace-deal/comments\n"
               f"  health:        {base}/readyz\n\nCtrl-C stops everything.\n")
    stopping = False

    def _stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for child in children:
                child.check(env)
            time.sleep(0.5)
    finally:
        click.echo("stopping…", err=True)
        for child in children:
            child.stop()
        deadline = time.monotonic() + STOP_SECONDS
        for child in children:
            click.echo(child.wait(deadline), err=True)
        if redis_process:
            redis_process.terminate()
            redis_process.wait(timeout=10)
            click.echo(f"stopped redis-server (pid {redis_process.pid})", err=True)
        click.echo("stopped")
