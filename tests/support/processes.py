"""Real processes for the fault tests: the service's own commands, Redis, PostgreSQL.

Each helper starts a real program, waits until it answers, and can stop it gently,
kill it with SIGKILL, or start it again. Output goes to a log file per process, so
that a failing test can show what the process said.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from cli import redis_server

POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))


def wait_until(condition: Callable[[], bool], timeout: float, what: str,
               interval: float = 0.1) -> None:
    """Return once ``condition()`` is true.

    Raises:
        TimeoutError: naming ``what`` when it is not true within ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


def tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file, for failure messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"({path} does not exist)"


@dataclass
class Command:
    """One ``moderation`` command run as a child process with its own log file."""

    name: str
    args: list[str]
    env: Mapping[str, str]
    log_dir: Path
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def log(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> Command:
        with self.log.open("a") as log:
            log.write(f"\n--- start {self.starts + 1} at {time.strftime('%H:%M:%S')} ---\n")
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli", *self.args], env=dict(self.env),
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.starts += 1
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and its children (gunicorn's workers, say)."""
        if self.alive():
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL when it has not ended within ``timeout`` seconds."""
        if not self.alive():
            return
        os.killpg(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()


@dataclass
class RedisServer:
    """A private redis-server with an append-only file, so that a restart keeps jobs."""

    data_dir: Path
    port: int = field(default_factory=redis_server.free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = redis_server.start(self.port, self.data_dir, appendonly=True)
        return self

    def stop(self) -> None:
        """SIGTERM: redis-server flushes its append-only file and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def wipe(self) -> None:
        """Stop and delete every file: the next start begins with nothing."""
        self.stop()
        for path in self.data_dir.iterdir():
            if path.name != "redis.log":
                shutil.rmtree(path) if path.is_dir() else path.unlink()

    def client(self) -> Redis:
        return Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)

    def answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except RedisError:
            return False


class PostgresCluster:
    """A PostgreSQL cluster of the test's own: ``initdb`` in a temporary folder, a free port.

    It never touches the machine's shared server. As root, the cluster is made and
    run as the ``postgres`` user (PostgreSQL refuses to run as root).
    """

    def __init__(self) -> None:
        self.bin = POSTGRES_BIN[-1]
        self.port = redis_server.free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="moderation-faults-pg-"))
        self.data = self.dir / "data"
        self.user_prefix: list[str] = []
        if os.geteuid() == 0:
            self.user_prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.dir, "postgres", "postgres")

    @staticmethod
    def unavailable() -> str | None:
        """None when a private cluster can be made here, else why not."""
        if not POSTGRES_BIN:
            return "no PostgreSQL server binaries under /usr/lib/postgresql"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser to start PostgreSQL as another user"
        if os.geteuid() == 0:
            try:
                import pwd

                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to run PostgreSQL"
        return None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/moderation"

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.user_prefix, *args], check=True, timeout=timeout,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def create(self) -> PostgresCluster:
        """initdb, start, and create the ``moderation`` database."""
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "--auth=trust",
                  "--username=postgres", "--no-sync", "--encoding=UTF8", "--locale=C")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "moderation")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 "
                   f"-c unix_socket_directories={self.dir} -c fsync=off -c max_connections=100")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "pg.log"),
                  "-o", options, "-w", "-t", "30", "start")

    def crash(self) -> None:
        """Stop at once, as a crash would (``immediate`` mode: recovery at the next start)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


def http_json(method: str, url: str, body: object | None = None, timeout: float = 10,
              headers: Mapping[str, str] | None = None) -> tuple[int, dict]:
    """One HTTP request with a JSON body; the status and the JSON answer.

    Raises:
        OSError: when no answer came (refused, reset, timed out).
    """
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"{}")
        except ValueError:
            return error.code, {"raw": payload[:200].decode(errors="replace")}
