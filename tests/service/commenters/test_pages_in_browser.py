"""A moderator in headless Chromium: from the queue to a signed-in commenter's page, a
ban with a note; from the queue to the article's thread page, closing it. The public
API then refuses the commenter and the thread (403)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from service import db
from service.threads.models import Thread
from tests.conftest import OUTPUT_DIR
from tests.service.commenters.conftest import ORIGIN, signed, sso_secret
from tests.support.accounts import HOLD_ALL
from tests.support.browser import log_in, sqlite_database
from tests.support.work import drain

pytestmark = pytest.mark.browser
URL = "/api/v1/threads/city-budget/comments"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return sqlite_database(tmp_path_factory, "commenters-db")


@pytest.fixture
def settings(settings: dict) -> dict:
    settings.update(MODERATION_THRESHOLDS=HOLD_ALL)
    return settings


def test_a_moderator_bans_a_commenter_and_closes_a_thread_from_the_queue(
        app, client, tokens, live_server, browser_page):
    posted = client.post(URL, json={"body": "Buy cheap watches here."},
                         headers=signed(sso_secret(app)))
    assert posted.status_code == 202
    with app.app_context(), db.transaction() as session:  # as its article's page says
        thread = session.scalar(select(Thread))
        thread.title, thread.url = "The city budget", f"{ORIGIN}/budget"
    drain(app)
    page = browser_page
    log_in(page, live_server, "mia")

    item = page.locator("li.item").filter(has_text="Buy cheap watches here.")
    expect(item.locator("[data-thread-filter]")).to_have_text("The city budget")
    expect(item.locator("[data-headline-link]")).to_have_attribute("href", f"{ORIGIN}/budget")
    expect(item.locator("[data-thread-counts]")).to_have_text("1 held of 1")
    item.locator("[data-commenter-link]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Reader")
    page.get_by_label("Status").select_option("banned")
    page.get_by_label("Note").fill("Advertises watches.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-commenter-status]")).to_have_text("banned")
    expect(page.locator("[data-commenter-notes]")).to_contain_text("Advertises watches.")
    expect(page.locator("[data-commenter-history]")).to_contain_text("The city budget")
    page.screenshot(path=str(OUTPUT_DIR / "commenter-page.png"), full_page=True)
    refused = client.post(URL, json={"body": "Again."}, headers=signed(sso_secret(app)))
    assert refused.json["error"] == "commenter_banned"

    page.goto(f"{live_server}/dashboard/queue")
    page.locator("li.item").first.locator("[data-thread-page]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The city budget")
    page.get_by_label("Closed").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-thread-state]")).to_have_text("closed")
    refused = client.post(URL, json={"body": "Late.", "author": "Bob"})
    assert refused.status_code == 403 and refused.json["error"] == "thread_closed"


@pytest.mark.parametrize("sub", ["https://idp.example/users/1", "..", "a/../b"])
def test_the_queue_links_to_a_commenter_whatever_their_sub(app, client, tokens, live_server,
                                                           browser_page, sub):
    posted = client.post(URL, json={"body": "Buy cheap watches here."},
                         headers=signed(sso_secret(app), sub=sub))
    assert posted.status_code == 202
    drain(app)
    page = browser_page
    log_in(page, live_server, "mia")
    page.locator("li.item").first.locator("[data-commenter-link]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ann Reader")
    page.get_by_label("Status").select_option("trusted")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-commenter-status]")).to_have_text("trusted")
