"""The root group and the commands that run the service's processes."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any, cast

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from werkzeug.local import LocalProxy

from service.accounts.cli import moderators, tokens
from service.app import create_app
from service.config import load_config, markdown_table
from service.migrate import upgrade
from service.perspective.cli import keys
from service.queueing import QUEUES
from service.sites.cli import sites

_LAZY_COMMANDS = {
    "bench": ("bench.command", "bench"),
    "model": ("modelkit.cli", "model"),
}
"""Commands of the ``tools`` extra: name -> (module, attribute), imported when used."""


ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
"""gunicorn's default access log line without the query string: Perspective clients send
their API key as ``?key=``."""


class ModerationGroup(FlaskGroup):
    """The Flask CLI group, with the tools' commands loaded lazily."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> Any:
        if cmd_name not in _LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module_name, attribute = _LAZY_COMMANDS[cmd_name]
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise click.ClickException(
                f"`moderation {cmd_name}` needs the tools extra: pip install "
                f"'comment-moderation[tools]' ({error})"
            ) from error
        return getattr(module, attribute)


@click.group(cls=ModerationGroup, create_app=create_app, add_default_commands=False,
             add_version_option=False)
def cli() -> None:
    """Comment moderation: the web service, its workers and their tools."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", "processes", type=click.IntRange(min=1),
              help="gunicorn worker processes (default: WEB_WORKERS).")
@click.option("--threads", type=click.IntRange(min=1),
              help="Threads per gunicorn worker (default: WEB_THREADS).")
def web(host: str, port: int, processes: int | None, threads: int | None) -> None:
    """Serve the web app with gunicorn."""
    config = load_config()
    processes, threads = processes or config["WEB_WORKERS"], threads or config["WEB_THREADS"]
    os.execvp(sys.executable, [
        sys.executable, "-m", "gunicorn", "service.app:create_app()",
        "--bind", f"{host}:{port}", "--workers", str(processes), "--threads", str(threads),
        "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT,
        # every value escaped (no forged lines from "%0A"), no commenter's sub
        "--logger-class", "service.accesslog.AccessLogger",
        # gunicorn itself trusts no peer's X-Forwarded-*: TRUSTED_PROXIES decides, in the
        # app's ProxyFix.
        "--forwarded-allow-ips", "",
    ])


@cli.command()
@click.option("--queue", "queues", multiple=True, type=click.Choice(QUEUES),
              help="A queue to serve (repeatable); every queue when none is named.")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker(queues: tuple[str, ...], burst: bool) -> None:
    """Run a worker: the scoring worker loads the model once, at start."""
    from service.queueing import queue, redis
    from workers.worker import ModerationWorker

    app = _app()
    lower_priority(app.config["WORKER_NICE"])  # before the model loads, and its threads
    connection = redis()
    moderation_worker = ModerationWorker(
        # In QUEUES' order, whatever the command line's: analyze requests first.
        [queue(name, connection) for name in QUEUES if name in queues or not queues],
        app=app, connection=connection,
    )
    if not moderation_worker.load_model():
        raise click.ClickException("the model did not load (see above); comments stay pending")
    moderation_worker.work(burst=burst, with_scheduler=True)


def lower_priority(niceness: int) -> None:
    """Add ``niceness`` to this thread's, and so to the threads it starts from now on (on
    Linux niceness is per thread: ONNX Runtime's pool must be made after this)."""
    if niceness:
        os.nice(niceness)


@cli.command()
@click.option("--once", is_flag=True, help="Sweep once and stop.")
@with_appcontext
def sweep(once: bool) -> None:
    """Queue again comments that have waited too long (run one beside the workers)."""
    from workers.sweeper import run

    run(_app(), rounds=1 if once else None)


@cli.command()
@click.option("--site", default=None, help="The site's slug (default: the site `default`).")
@click.option("--inline", is_flag=True,
              help="Run the job in this process instead of waiting for a worker.")
@click.option("--timeout", type=float, default=3600, show_default=True,
              help="Seconds to wait for a worker to finish the job.")
@with_appcontext
def rescore(site: str | None, inline: bool, timeout: float) -> None:
    """Decide the site's pending and held comments again with the current model, candidate
    and thresholds (never a comment a moderator decided); print how many were rescored."""
    from cli.learning import rescore_and_wait

    rescore_and_wait(site, inline=inline, timeout=timeout)


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database to the latest schema."""
    upgrade(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


@cli.command("config")
def config_table() -> None:
    """Print the table of environment variables."""
    click.echo(markdown_table())


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def up(host: str, port: int) -> None:
    """Start everything: Redis if needed, migrations, web, worker and sweeper."""
    from cli.supervisor import run_all

    run_all(host, port)


def _app() -> Flask:
    """The application itself, not the ``current_app`` proxy (to hand to other threads)."""
    # cast: Flask types current_app as Flask, though it is a LocalProxy to one.
    return cast("LocalProxy[Flask]", current_app)._get_current_object()


cli.add_command(moderators)
cli.add_command(tokens)
cli.add_command(keys)
cli.add_command(sites)
