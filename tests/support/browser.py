"""The app on a real HTTP server, and headless Chromium (Debian's) driven by Playwright.

Fixtures, exposed by ``tests/conftest.py``:

- ``live_server``: serves the ``app`` fixture on 127.0.0.1 and a free port in a
  thread; yields the base URL, e.g. ``http://127.0.0.1:40123``.
- ``browser``: one headless Chromium for the session; the tests that use it are
  skipped, saying why, where ``/usr/bin/chromium`` is missing.
- ``browser_page``: a fresh page in a fresh context (no cookies shared between tests).

Mark such tests ``@pytest.mark.browser``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over HTTP by werkzeug in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: install Debian's `chromium` package "
                    "(apt-get install chromium) to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    """A new page in a context of its own, with a 10 s default timeout."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()


def sqlite_database(tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A migrated SQLite database for a module of browser tests: the browser is the
    subject there; the HTTP tests cover both databases."""
    from service.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp(name) / 'test.db'}"
    upgrade(url)
    return url


def log_in(page: Page, live_server: str, name: str, path: str = "/dashboard/queue") -> None:
    """Open the dashboard's ``path`` as ``name``: through the login form it redirects to."""
    from tests.support.accounts import PASSWORD

    page.goto(f"{live_server}{path}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}{path}")
