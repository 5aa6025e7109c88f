"""XSS: hostile comments and names are shown as text, and never run, wherever they appear.

Every payload of ``tests/support/xss_payloads.txt`` is posted as a comment body and
as an author's name, published by the real worker, then rendered in headless
Chromium by the widget on the demo page and by the dashboard (the queue and each
comment's page). A tripwire function, ``alert`` dialogs and a global flag would
tell if any payload ran; the text shown must be the text posted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from service import db
from service.accounts.services import add_moderator
from service.comments.spam import RULES, SpamSettings, save_spam_settings
from service.policy import LABELS
from service.text import strip_invisible
from service.widget.views import DEMO_THREAD
from tests.support.work import drain

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PAYLOADS = [line for line in (Path(__file__).parents[1] / "support" / "xss_payloads.txt")
            .read_text(encoding="utf-8").splitlines() if line.strip()]
APPROVE_ALL = {"hold": dict.fromkeys(LABELS, 1.0), "reject": dict.fromkeys(LABELS, 1.0)}
PASSWORD = "correct horse battery staple"
TRIPWIRE = """
window.__tripped = [];
window.tripwire = () => window.__tripped.push(location.pathname);
"""
SHOWN = """root => ({
    bodies: [...root.querySelectorAll('.body')].map(node => node.textContent),
    authors: [...root.querySelectorAll('.author')].map(node => node.textContent),
    injected: root.querySelectorAll('.body *, .author *').length,
})"""


def name_of(payload: str) -> str:
    """The author's name posted with ``payload``, as the service stores it."""
    return " ".join(strip_invisible(payload[:80].strip()).split())


@pytest.fixture
def settings(settings: dict) -> dict:
    # Some payloads are fullwidth or invisible-character variants of others: the repeat
    # check (on skeletons) would refuse them.
    settings.update(MODERATION_THRESHOLDS=APPROVE_ALL, RATELIMIT_ENABLED=False,
                    REPEAT_WINDOW_SECONDS=0)
    return settings


@pytest.fixture
def published(app) -> dict[str, str]:
    """Every payload posted as a comment and published: comment id -> payload."""
    client = app.test_client()
    ids = {}
    # Variants of one payload are near-duplicates, and some are links: the spam stage
    # would hold them, as the repeat check would refuse them.
    with app.app_context(), db.transaction() as session:
        save_spam_settings(session, SpamSettings.model_validate(
            dict.fromkeys(RULES, "off")), by="test")
    for payload in PAYLOADS:
        response = client.post(f"/api/v1/threads/{DEMO_THREAD}/comments",
                               json={"body": payload, "author": name_of(payload)})
        assert response.status_code == 202, (payload, response.json)
        ids[response.json["id"]] = payload
    drain(app)
    with app.app_context(), db.transaction() as session:
        add_moderator(session, "mia", PASSWORD, "moderator")
    return ids


@pytest.fixture
def page(browser_page: Page) -> tuple[Page, list[str]]:
    """A page with the tripwire installed before any script runs; the dialogs it saw."""
    dialogs: list[str] = []
    browser_page.add_init_script(TRIPWIRE)
    browser_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return browser_page, dialogs


def assert_nothing_ran(page: Page, dialogs: list[str]) -> None:
    page.wait_for_timeout(300)  # let onerror, onload and autofocus handlers fire
    assert page.evaluate("window.__tripped") == [], page.url
    assert page.evaluate("window.__pwned") is None, page.url
    assert dialogs == [], page.url


def test_payloads_are_many_and_distinct():
    assert len(PAYLOADS) >= 50
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_tripwire_catches_payloads_that_do_run(live_server, page):
    """The control: in a page that does inject HTML, the payloads are caught."""
    page, dialogs = page
    page.goto(live_server + "/healthz")
    page.evaluate("html => { document.body.innerHTML = html; }",
                  "<img src=x onerror=tripwire()><img src=x onerror=alert(1)>")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__tripped") == ["/healthz"]
    assert dialogs == ["1"]


def test_the_widget_shows_every_payload_as_text(published, live_server, page):
    page, dialogs = page
    page.goto(live_server + "/")
    widget = page.locator(f"[data-moderation-thread='{DEMO_THREAD}']")
    listed = widget.get_by_role("list", name="Published comments").get_by_role("listitem")
    more = widget.get_by_role("button", name="Load more comments")
    listed.first.wait_for()
    while listed.count() < len(PAYLOADS):
        before = listed.count()
        more.click()
        expect(listed).not_to_have_count(before)

    shown = widget.evaluate(f"host => ({SHOWN})(host.shadowRoot)")

    assert sorted(shown["bodies"]) == sorted(PAYLOADS)
    assert sorted(shown["authors"]) == sorted(map(name_of, PAYLOADS))
    assert shown["injected"] == 0
    assert_nothing_ran(page, dialogs)


def test_the_dashboard_shows_every_payload_as_text(published, live_server, page):
    page, dialogs = page
    page.goto(live_server + "/dashboard/login")
    page.fill("input[name=name]", "mia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/**")

    page.goto(live_server + "/dashboard/queue?status=approved&limit=100")
    shown = page.evaluate(f"({SHOWN})(document)")
    assert sorted(shown["bodies"]) == sorted(PAYLOADS)
    assert sorted(shown["authors"]) == sorted(map(name_of, PAYLOADS))
    assert shown["injected"] == 0
    assert_nothing_ran(page, dialogs)

    for comment_id, payload in published.items():
        page.goto(f"{live_server}/dashboard/comments/{comment_id}")
        shown = page.evaluate(f"({SHOWN})(document)")
        assert shown["bodies"][:1] == [payload]
        assert name_of(payload) in shown["authors"]
        assert shown["injected"] == 0
        assert page.title().startswith(f"Comment by {name_of(payload)}")
        assert page.evaluate("window.__tripped") == [], payload
    assert_nothing_ran(page, dialogs)
