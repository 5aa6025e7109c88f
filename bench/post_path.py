"""Where the POST path's CPU time goes: each part timed in-process, no profiler.

``python -m bench.post_path [N]`` starts a private ``redis-server`` and a new SQLite
file (or ``--database-url``), posts 450 of the bench's comments as bench (d) does (50
threads, names ``Reader <n>``, one client address, from the widget's allowed origin),
then N more with ``time.process_time`` added up around each part of the path: the app,
Flask's hooks, the view's steps, the commit and what runs in it. A profiler's own cost
grows with the number of calls and skews such a short path; these wrappers cost about a
microsecond each. The figures include the Flask test client, which bench (d)'s do not.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

WARM_UP = 450

Part = tuple[Any, str, str]


def parts(app: Any) -> list[Part]:
    """(owner, attribute, label) of each part timed; labels sort as the path nests."""
    import secrets

    import sqlalchemy.orm

    import service.comments.abuse as abuse
    import service.comments.api as api
    import service.comments.services as services
    import service.queueing as queueing
    import service.webhooks.tasks as webhooks

    return [
        (app, "wsgi_app", "1 the app (Flask, all of it)"),
        (app, "preprocess_request", "2 before-request hooks"),
        (app, "process_response", "2 after-request hooks"),
        (app, "do_teardown_appcontext", "2 teardown (the session closed)"),
        (app.session_interface, "open_session", "2 the cookie session opened"),
        (app, "dispatch_request", "2 the view, with the limiter's wrapper"),
        (api, "json_object", "3 request JSON"),
        (api.NewComment, "model_validate", "3 NewComment validation"),
        (api, "url_for", "3 url_for"),
        (api, "find_site", "3 the site"),
        (api, "read_gate", "3 site, thread, pending count (first statement)"),
        (api, "_admit", "3 the gate (who posts, to which thread)"),
        (api, "after_posting", "3 after a nudge (nothing without one)"),
        (api, "post_comment", "4 post_comment"),
        (abuse, "_check_pending", "5 pending check"),
        (abuse, "_check_repeat", "5 repeat check"),
        (services, "find_links", "5 link scan"),
        (services, "client_key", "5 client key"),
        (secrets, "token_urlsafe", "5 author token"),
        (services, "author_token_hash", "5 author token hash"),
        (services, "insert_new_comment", "5 INSERT comment and event"),
        (sqlalchemy.orm.Session, "commit", "5 commit, with what runs in it"),
        (webhooks, "_fan_out", "6 webhooks fan-out check"),
        (queueing, "enqueue", "6 Redis enqueue (RQ)"),
    ]


def timed(totals: dict[str, float], label: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] = totals.get(label, 0.0) + time.process_time() - started

    return wrapper


@click.command()
@click.argument("posts", type=click.IntRange(min=1), default=2000)
@click.option("--database-url", default=None, help="An empty database (default: new SQLite).")
def main(posts: int, database_url: str | None) -> None:
    """Time each part of N POSTs of new comments, in-process."""
    from bench import comments
    from bench.load import WIDGET_ORIGIN
    from cli import redis_server
    from service.app import create_app
    from service.migrate import upgrade

    work = Path(tempfile.mkdtemp(prefix="post-path-"))
    redis_process = redis_server.start(port := redis_server.free_port(), work)
    try:
        url = database_url or f"sqlite:///{work / 'post-path.db'}"
        upgrade(url)
        app = create_app({"DATABASE_URL": url, "REDIS_URL": f"redis://127.0.0.1:{port}/0",
                          "SECRET_KEY": "post-path", "RATELIMIT_ENABLED": False,
                          "MODERATION_INSTANCE_DIR": str(work / "instance"),
                          "CORS_ALLOWED_ORIGINS": [WIDGET_ORIGIN]})
        client = app.test_client()
        bodies = comments.comments(WARM_UP + posts, seed=3)
        totals: dict[str, float] = {}
        for owner, attribute, label in parts(app):
            if hasattr(owner, attribute):  # an older tree lacks some
                setattr(owner, attribute, timed(totals, label, getattr(owner, attribute)))

        def post(number: int) -> None:
            response = client.post(
                f"/api/v1/threads/bench-{number % 50}/comments",
                json={"body": bodies[number], "author": f"Reader {number % 997}"},
                headers={"Origin": WIDGET_ORIGIN}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
            if response.status_code != 202:
                raise click.ClickException(f"POST answered {response.status_code}")

        for number in range(WARM_UP):
            post(number)
        totals.clear()
        started = time.process_time()
        for number in range(WARM_UP, WARM_UP + posts):
            post(number)
        whole = time.process_time() - started
    finally:
        redis_process.terminate()
    click.echo(f"{posts} POSTs, load {os.getloadavg()[0]:.1f}: {whole * 1000 / posts:.3f} ms "
               "of CPU per POST, the test client included")
    for label, seconds in sorted(totals.items()):
        click.echo(f"  {label:44s} {seconds * 1e6 / posts:8.1f} us")


if __name__ == "__main__":
    main()
